"""Notification jobs, run by RQ workers (in-process in embedded mode): the outbox sweep.

The job that delivers one message, `deliver_message`, lives with the delivery rules in casehub.notify.delivery.
"""
from datetime import datetime

from rq.exceptions import DuplicateJobError

from casehub.extensions import db
from casehub.jobs import get_queue
from casehub.models import utcnow
from casehub.notify.delivery import deliver_message, delivery_job_options, due_messages
from casehub.notify.outbox import fold_due_digests

SWEEP_BATCH = 1000


def sweep_outbox(now: datetime | None = None) -> dict:
    """Fold held messages into their digests and enqueue every pending message whose time has come.

    This is how retries happen, and how messages whose queueing Redis missed (down at the commit, or
    restarted empty) reach a worker. Safe to run twice.
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
            continue  # already queued, running or waiting for its retry
        enqueued += 1
    return {"digests": len(digests), "enqueued": enqueued}
