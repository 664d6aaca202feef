"""health: scheduler heartbeat and sweep times

Revision ID: f14e00000004
Revises: e14e00000003
Create Date: 2026-12-05 09:34:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f14e00000004'
down_revision = 'e14e00000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
