"""notify: durable delivery attempts and one outbox write path

An attempt row is committed before a message is handed to its channel: `succeeded` stays NULL
until the outcome is saved, and the idempotency key sent with the message is kept for a retry.

Revision ID: e14e00000003
Revises: b14e00000002
Create Date: 2026-12-05 09:33:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e14e00000003'
down_revision = 'b14e00000002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.alter_column('succeeded', existing_type=sa.Boolean(), nullable=True)
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('provider_message_id', sa.String(length=200), nullable=True))


def downgrade():
    # An outcome never saved counts as a failed try in the older schema.
    op.execute("UPDATE delivery_attempts SET succeeded = false WHERE succeeded IS NULL")
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.drop_column('provider_message_id')
        batch_op.drop_column('idempotency_key')
        batch_op.alter_column('succeeded', existing_type=sa.Boolean(), nullable=False)
