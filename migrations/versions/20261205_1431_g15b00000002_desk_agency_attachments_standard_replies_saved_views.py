"""desk: agency attachments, standard replies, saved views

Revision ID: g15b00000002
Revises: g15a00000001
Create Date: 2026-12-05 14:31:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'g15b00000002'
down_revision = 'g15a00000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
