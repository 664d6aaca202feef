"""auth: server-side sessions, token expiry and last use, sign-in throttle

Revision ID: b14e00000002
Revises: a14e00000001
Create Date: 2026-12-05 09:32:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b14e00000002'
down_revision = 'a14e00000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
