"""privacy: personal-data view log

Revision ID: a14e00000001
Revises: 7c5e1d2b9a60
Create Date: 2026-12-05 09:31:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a14e00000001'
down_revision = '7c5e1d2b9a60'
branch_labels = None
depends_on = None


def upgrade():
    # The log page lists views newest first and by date range.
    with op.batch_alter_table('personal_data_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_views_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('personal_data_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_data_views_at'))
