"""add sla clock columns to cases

Revision ID: 8ff432be9bbb
Revises: cb3404499262
Create Date: 2026-11-26 12:51:27.423793
"""
import sqlalchemy as sa
from alembic import op

revision = '8ff432be9bbb'
down_revision = 'cb3404499262'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_seconds', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('extended_working_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('deadline_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('deadline_version')
        batch_op.drop_column('extended_working_days')
        batch_op.drop_column('paused_seconds')
        batch_op.drop_column('sla_started_at')
