"""speed: reference data version

Revision ID: g18000000007
Revises: g17b00000006
Create Date: 2026-12-05 14:36:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'g18000000007'
down_revision = 'g17b00000006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
