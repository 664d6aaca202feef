"""reports: first responses per cell, daily agency figures

Revision ID: 5eaf462b616a
Revises: cdb623bc938f
Create Date: 2026-11-26 13:39:37.984961
"""
import sqlalchemy as sa
from alembic import op

revision = '5eaf462b616a'
down_revision = 'cdb623bc938f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_agency_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('resolved', sa.Integer(), nullable=False),
    sa.Column('resolved_on_time', sa.Integer(), nullable=False),
    sa.Column('satisfaction_responses', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_daily_agency_stats_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_agency_stats')),
    sa.UniqueConstraint('day', 'agency_id', name='day_agency')
    )
    with op.batch_alter_table('daily_case_stats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_responses', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('daily_case_stats', schema=None) as batch_op:
        batch_op.drop_column('first_responses')

    op.drop_table('daily_agency_stats')
