"""notify: durable delivery attempts and one outbox write path

Revision ID: e14e00000003
Revises: b14e00000002
Create Date: 2026-12-05 09:33:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e14e00000003'
down_revision = 'b14e00000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
