"""notify: held and digested messages, the local mailbox, notification preferences

Revision ID: cdb623bc938f
Revises: ac018ccca0ee
Create Date: 2026-11-26 13:01:19.813672
"""
import sqlalchemy as sa
from alembic import op

revision = 'cdb623bc938f'
down_revision = 'ac018ccca0ee'
branch_labels = None
depends_on = None

OLD_STATUSES = ("pending", "sent", "failed")
NEW_STATUSES = (*OLD_STATUSES, "held", "digested")


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


def upgrade():
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('escalation_digest', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )
    op.create_table('local_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('email', 'sms', 'in_app', name='outbox_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], name=op.f('fk_local_mail_message_id_outbox_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_mail'))
    )
    with op.batch_alter_table('local_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_mail_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_local_mail_message_id'), ['message_id'], unique=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_messages_recipient_sent', ['recipient', 'sent_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_digest_id_outbox_messages'), 'outbox_messages', ['digest_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_outbox_messages_outbox_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_outbox_status'), _status_check(NEW_STATUSES))


def downgrade():
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status = 'held'")
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE status = 'digested'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_outbox_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_outbox_status'), _status_check(OLD_STATUSES))
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_digest_id_outbox_messages'), type_='foreignkey')
        batch_op.drop_index('ix_outbox_messages_recipient_sent')
        batch_op.drop_column('digest_id')

    with op.batch_alter_table('local_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_mail_message_id'))
        batch_op.drop_index(batch_op.f('ix_local_mail_delivered_at'))

    op.drop_table('local_mail')
    op.drop_table('notification_preferences')
