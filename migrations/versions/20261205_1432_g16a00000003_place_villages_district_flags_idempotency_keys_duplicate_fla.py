"""place: villages, district flags, idempotency keys, duplicate flags

Revision ID: g16a00000003
Revises: g15b00000002
Create Date: 2026-12-05 14:32:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'g16a00000003'
down_revision = 'g15b00000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
