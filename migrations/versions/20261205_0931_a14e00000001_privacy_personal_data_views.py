"""privacy: personal-data view log

Revision ID: a14e00000001
Revises: 7c5e1d2b9a60
Create Date: 2026-12-05 09:31:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a14e00000001'
down_revision = '7c5e1d2b9a60'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
