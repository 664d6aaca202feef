"""desk: officers, co-handling invitations, reply approval, merged reporters

Revision ID: g15a00000001
Revises: f14e00000004
Create Date: 2026-12-05 14:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'g15a00000001'
down_revision = 'f14e00000004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
