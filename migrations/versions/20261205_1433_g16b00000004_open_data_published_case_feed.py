"""open data: published case feed

Revision ID: g16b00000004
Revises: g16a00000003
Create Date: 2026-12-05 14:33:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'g16b00000004'
down_revision = 'g16a00000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
