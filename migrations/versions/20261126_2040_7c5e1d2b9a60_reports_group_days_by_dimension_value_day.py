"""reports: daily_group_stats indexed by dimension, value and day, for trends over many months

Revision ID: 7c5e1d2b9a60
Revises: 3f1c2a9d8e47
Create Date: 2026-11-26 20:40:00
"""
from alembic import op

revision = '7c5e1d2b9a60'
down_revision = '3f1c2a9d8e47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('daily_group_stats', schema=None) as batch_op:
        batch_op.create_index('ix_daily_group_stats_dimension_value_day', ['dimension', 'value', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('daily_group_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_group_stats_dimension_value_day')
