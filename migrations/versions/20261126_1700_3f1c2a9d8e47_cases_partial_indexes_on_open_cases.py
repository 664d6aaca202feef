"""cases: partial indexes on the open cases, for inboxes sorted by due time

Revision ID: 3f1c2a9d8e47
Revises: b68717821fe5
Create Date: 2026-11-26 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '3f1c2a9d8e47'
down_revision = 'b68717821fe5'
branch_labels = None
depends_on = None

# The statuses of an open case, as casehub.cases.models.OPEN_STATUS_SQL spells them at this revision.
OPEN = sa.text("status IN ('received', 'assigned', 'accepted', 'waiting_for_citizen', 'transfer_requested')")


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_open_agency_due', ['agency_id', 'due_at'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_cases_open_due', ['due_at'], unique=False, postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_due')
        batch_op.drop_index('ix_cases_open_agency_due')
