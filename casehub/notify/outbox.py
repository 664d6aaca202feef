"""The one way into the outbox: every feature writes its messages here, in the transaction of the change
that causes them (case events, SLA reminders and escalations, digests, the monthly analysis).

Each row carries a de-duplication key, and a row whose key is taken is skipped (ON CONFLICT DO
NOTHING): a retried job, two sweeps at once or a second call never write a message twice. Each row
written is queued for delivery once the transaction commits; the outbox sweep is the safety net for
a queueing that Redis missed.
"""
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from casehub.extensions import db
from casehub.notify.delivery import DIGEST_TEMPLATE, enqueue_delivery, record_attempt, render_for_delivery
from casehub.notify.models import OutboxMessage, OutboxStatus
from casehub.notify.senders import DeliveryError


def add_to_outbox(rows: list[dict]) -> dict[str, int]:
    """Insert the rows (OutboxMessage column values) whose de-duplication key is free; {dedup_key: id} of those.

    Their delivery is enqueued after commit. Safe to call twice with the same rows.
    """
    if not rows:
        return {}
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedup_key"])
    written = db.session.execute(
        statement.returning(OutboxMessage.id, OutboxMessage.dedup_key, OutboxMessage.urgent), rows).all()
    for message_id, _key, urgent in written:
        enqueue_delivery(message_id, urgent)
    return {key: message_id for message_id, key, _urgent in written}


def outbox_messages(ids) -> list[OutboxMessage]:
    """The messages with these ids, in the order they were written."""
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(list(ids)))
                                   .order_by(OutboxMessage.id)))


def fold_due_digests(now: datetime) -> list[OutboxMessage]:
    """Bundle the held messages whose time has come into one digest per recipient; flushes, the caller commits."""
    held = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.HELD, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).with_for_update(skip_locked=True)
    ).all()
    groups = defaultdict(list)
    for message in held:
        groups[(message.channel, message.recipient, message.language, message.user_id)].append(message)
    digest_ids = []
    for (channel, recipient, language, user_id), messages in groups.items():
        items = []
        for message in messages:
            try:
                rendered = render_for_delivery(message)
            except DeliveryError as error:
                record_attempt(message, now, error)
                continue
            items.append({"case_number": message.payload.get("case_number"), "subject": rendered.subject,
                          "short": rendered.short})
        if not items:
            continue
        key = f"digest:{messages[0].id}"
        written = add_to_outbox([{"dedup_key": key, "channel": channel, "recipient": recipient,
                                  "template": DIGEST_TEMPLATE, "language": language, "payload": {"items": items},
                                  "user_id": user_id, "next_attempt_at": now, "created_at": now}])
        if key not in written:
            continue  # folded by a sweep running at the same time
        for message in messages:
            if message.status is OutboxStatus.HELD:
                message.status, message.digest_id = OutboxStatus.DIGESTED, written[key]
        digest_ids.append(written[key])
    db.session.flush()
    return outbox_messages(digest_ids)
