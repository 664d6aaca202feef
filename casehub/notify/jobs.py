"""Notification jobs, run by RQ workers (in-process in embedded mode): delivering one message, and the sweep."""
from datetime import datetime

from rq.exceptions import DuplicateJobError

from casehub.extensions import db
from casehub.jobs import enqueue_after_commit, get_queue
from casehub.models import utcnow
from casehub.notify.delivery import LEASE, deliver, due_messages, fold_due_digests
from casehub.notify.models import OutboxMessage

SWEEP_BATCH = 1000


def delivery_job_options(message_id: int, urgent: bool) -> dict:
    """Where and how a delivery job runs: hazards on "high"; one queued job per message at a time."""
    return {
        "queue": "high" if urgent else "default", "job_timeout": 120,
        # While a job for the message is queued or running, enqueuing another is refused (unique id);
        # a finished job leaves nothing behind, a crashed one blocks the id only until its lease is over.
        "job_id": f"deliver-message-{message_id}", "unique": True, "result_ttl": 0,
        "failure_ttl": int(LEASE.total_seconds()),
    }


def deliver_message(message_id: int, now: datetime | None = None) -> str:
    """Send one outbox message if it is pending and due. Safe to run twice, or in two workers at once."""
    return deliver(message_id, now or utcnow())


def enqueue_delivery(message: OutboxMessage) -> None:
    """Deliver `message` once the transaction that wrote it commits."""
    enqueue_after_commit(deliver_message, message.id, **delivery_job_options(message.id, message.urgent))


def sweep_outbox(now: datetime | None = None) -> dict:
    """Fold held messages into their digests and enqueue every pending message whose time has come.

    This is how retries happen, and how messages written while Redis was down (or by another
    feature's bulk insert) reach a worker. Safe to run twice.
    """
    now = now or utcnow()
    digests = fold_due_digests(now)
    db.session.commit()
    enqueued = 0
    for message_id, urgent in due_messages(now, SWEEP_BATCH):
        options = delivery_job_options(message_id, urgent)
        try:
            get_queue(options.pop("queue")).enqueue(deliver_message, message_id, **options)
        except DuplicateJobError:
            continue  # already queued or running
        enqueued += 1
    return {"digests": len(digests), "enqueued": enqueued}
