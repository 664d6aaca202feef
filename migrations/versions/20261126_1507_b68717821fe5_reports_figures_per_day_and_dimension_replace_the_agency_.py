"""reports: figures per day and dimension replace the agency days

Revision ID: b68717821fe5
Revises: dda5ba21e61f
Create Date: 2026-11-26 15:07:15.599585
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'b68717821fe5'
down_revision = 'dda5ba21e61f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_group_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('resolved', sa.Integer(), nullable=False),
    sa.Column('resolved_on_time', sa.Integer(), nullable=False),
    sa.Column('overdue_open', sa.Integer(), nullable=False),
    sa.Column('first_responses', sa.Integer(), nullable=False),
    sa.Column('first_response_on_time', sa.Integer(), nullable=False),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.Column('satisfaction_responses', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('handling_minutes', sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), 'postgresql'), nullable=False),
    sa.Column('handling_working_days', sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_group_stats')),
    sa.UniqueConstraint('day', 'dimension', 'value', name='day_dimension_value')
    )
    op.drop_table('daily_agency_stats')


def downgrade():
    op.create_table('daily_agency_stats',
    sa.Column('id', sa.INTEGER(), autoincrement=True, nullable=False),
    sa.Column('day', sa.DATE(), autoincrement=False, nullable=False),
    sa.Column('agency_id', sa.INTEGER(), autoincrement=False, nullable=True),
    sa.Column('received', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.Column('resolved', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.Column('resolved_on_time', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.Column('satisfaction_responses', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.Column('satisfied', sa.INTEGER(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_agency_stats')),
    sa.UniqueConstraint('day', 'agency_id', name=op.f('day_agency'))
    )
    op.drop_table('daily_group_stats')
