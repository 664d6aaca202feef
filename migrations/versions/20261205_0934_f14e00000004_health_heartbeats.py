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
    op.create_table('heartbeats',
    sa.Column('name', sa.Enum('scheduler', 'sla_sweep', name='heartbeat_name', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeats'))
    )


def downgrade():
    op.drop_table('heartbeats')
