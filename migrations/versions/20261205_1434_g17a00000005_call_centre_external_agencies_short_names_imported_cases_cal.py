"""call centre: external agencies, short names, imported cases, call satisfaction

Revision ID: g17a00000005
Revises: g16b00000004
Create Date: 2026-12-05 14:34:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'g17a00000005'
down_revision = 'g16b00000004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
