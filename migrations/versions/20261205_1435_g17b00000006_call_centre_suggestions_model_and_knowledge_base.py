"""call centre: suggestions model and knowledge base

Revision ID: g17b00000006
Revises: g17a00000005
Create Date: 2026-12-05 14:35:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'g17b00000006'
down_revision = 'g17a00000005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
