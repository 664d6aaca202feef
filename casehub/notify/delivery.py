"""Delivering the outbox: taking a message (never two workers at once), the limits, retries, exactly once.

A worker takes a message with one conditional UPDATE (pending, due) that moves its
`next_attempt_at` a lease ahead, and in the same transaction writes an attempt row with a fresh
idempotency key; only once that is committed does it hand the message to its channel, and then
it saves the outcome (and the provider's message id). A second worker, or a second run of the
same job, finds nothing to take. Both commits ride out a dropped database connection, the outcome
kept in hand meanwhile. A worker that dies between sending and saving leaves the attempt open;
once the lease has passed, the next try settles it (see `settle_unknown_attempts`).

Limits, checked when a message is taken (so they cover rows other features write too):
- a manager who chose the daily digest gets level-2 escalations in one message at the next office opening;
- SLA reminders to agencies wait for office hours, hazards excepted;
- past NOTIFY_HOURLY_LIMIT messages to one recipient in a clock hour, the rest wait for one digest
  at the next hour (hazards, digests and in-app alerts are not limited).
"""
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateError
from rq import Retry

from casehub.extensions import db
from casehub.jobs import enqueue_after_commit, retry_on_disconnect
from casehub.models import utcnow
from casehub.notify.models import (DeliveryAttempt, NotificationPreference, OutboxChannel, OutboxMessage,
                                   OutboxStatus)
from casehub.notify.rendering import RenderedMessage, render_message
from casehub.notify.senders import (DeliveryError, Outgoing, delivers_in_database, provider_deduplicates,
                                    send_message)
from casehub.sla.calendar import MAX_DAYS_SEARCHED, BusinessCalendar

LEASE = timedelta(minutes=10)
# How long a delivery waits out a lost database connection, before sending and again after; with the send's
# own timeout (SMTP 30 s) it stays inside the job's timeout.
DATABASE_PATIENCE_SECONDS = 45
JOB_TIMEOUT_SECONDS = 180
MAX_ATTEMPTS = 10  # backoff 1, 2, 4 ... 60 minutes: about four hours of trying
DIGEST_TEMPLATE = "digest"
AGENCY_REMINDER_TEMPLATES = frozenset({"sla_reminder", "sla_first_response_overdue", "sla_overdue_supervisor"})
ESCALATION_TEMPLATE = "sla_escalation_manager"
NOT_DELIVERED = "Not delivered: the worker stopped before saving, and this channel delivers with that save."
RESENT_UNDER_SAME_KEY = ("Outcome unknown (the worker stopped before saving it): sent again under the same "
                         "idempotency key, which the provider de-duplicates.")
NEEDS_CHECK = ("Outcome unknown: the worker stopped while sending, before saving whether the message went out. "
               "Not sent again, so that it cannot arrive twice; check with the recipient and send it again if it "
               "never arrived.")


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`th failed try."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def _office_windows_from(calendar: BusinessCalendar, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    day = calendar.local(moment).date()
    for offset in range(MAX_DAYS_SEARCHED):
        yield from calendar.office_windows(day + timedelta(days=offset))


def office_time_from(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """`moment` itself when offices are open then, else the next opening (UTC).

    Closing time counts as open: working-day deadlines (and the reminders timed from them) fall on it.
    """
    for start, end in _office_windows_from(calendar, moment):
        if end >= moment:
            return max(start, moment).astimezone(timezone.utc)
    raise RuntimeError(f"no office hours found after {moment}")


def next_office_opening(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """The first opening of offices strictly after `moment` (UTC): when a daily digest goes out."""
    for start, _end in _office_windows_from(calendar, moment):
        if start > moment:
            return start.astimezone(timezone.utc)
    raise RuntimeError(f"no office hours found after {moment}")


def _take(message_id: int, now: datetime) -> OutboxMessage | None:
    """Lease a pending, due message for this worker (not committed yet), or None when it is not ours to send."""
    taken = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    return db.session.get(OutboxMessage, message_id, populate_existing=True) if taken else None


def _sent_this_hour(recipient: str, hour_start: datetime) -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient == recipient, OutboxMessage.sent_at >= hour_start,
        OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.urgent.is_(False)))


def wants_escalation_digest(user_id: int | None) -> bool:
    """Whether the user chose to get level-2 escalations as one daily digest."""
    preference = db.session.get(NotificationPreference, user_id) if user_id else None
    return preference is not None and preference.escalation_digest


def postpone(message: OutboxMessage, now: datetime) -> str | None:
    """Apply the limits: move the message to later and say why, or None when it may go now."""
    # The manager's own choice, hazards included: the supervisors were told at level 1 already.
    if message.template == ESCALATION_TEMPLATE and wants_escalation_digest(message.user_id):
        message.status, message.next_attempt_at = OutboxStatus.HELD, next_office_opening(BusinessCalendar.load(), now)
        return "daily_digest"
    if message.urgent or message.template == DIGEST_TEMPLATE:
        return None
    if message.template in AGENCY_REMINDER_TEMPLATES:
        opening = office_time_from(BusinessCalendar.load(), now)
        if opening > now:
            message.next_attempt_at = opening
            return "office_hours"
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    if (message.channel is not OutboxChannel.IN_APP
            and _sent_this_hour(message.recipient, hour_start) >= current_app.config["NOTIFY_HOURLY_LIMIT"]):
        message.status, message.next_attempt_at = OutboxStatus.HELD, hour_start + timedelta(hours=1)
        return "hourly_limit"
    return None


def render_for_delivery(message: OutboxMessage) -> RenderedMessage:
    """The message's text; a template error (a missing variable, say) is a permanent failure, never a blank."""
    try:
        return render_message(message.template, message.language, message.payload)
    except TemplateError as error:
        raise DeliveryError(f"template {message.template} ({message.language}): {error}", permanent=True) from None


def new_attempt(message: OutboxMessage, now: datetime, idempotency_key: str | None = None) -> DeliveryAttempt:
    """Count one more try of `message` and log it, its outcome unknown yet; flushes."""
    message.attempts += 1
    attempt = DeliveryAttempt(message_id=message.id, at=now, succeeded=None, idempotency_key=idempotency_key)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def record_outcome(message: OutboxMessage, attempt: DeliveryAttempt, now: datetime,
                   error: DeliveryError | None = None, provider_message_id: str | None = None) -> None:
    """Save how a try ended: on success the message is sent; on failure it is retried later or, if hopeless, failed."""
    attempt.succeeded, attempt.provider_message_id = error is None, provider_message_id
    attempt.error = None if error is None else str(error)
    if error is None:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, None
    elif error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status, message.last_error = OutboxStatus.FAILED, str(error)
    else:
        message.next_attempt_at, message.last_error = now + backoff(message.attempts), str(error)


def record_attempt(message: OutboxMessage, now: datetime, error: DeliveryError) -> None:
    """Log a try that failed before anything was sent (a template that does not render)."""
    record_outcome(message, new_attempt(message, now), now, error)


def settle_unknown_attempts(message: OutboxMessage) -> str | None:
    """Settle the message's earlier attempts whose outcome was never saved; the idempotency key to send under again.

    Returns None for a fresh key, or the old key when the provider de-duplicates it. When the
    message may have gone out through a channel that cannot tell (SMTP), the message is failed for
    a person to check instead of being sent twice.
    """
    unknown = db.session.scalars(sa.select(DeliveryAttempt).where(
        DeliveryAttempt.message_id == message.id, DeliveryAttempt.succeeded.is_(None),
        DeliveryAttempt.error.is_(None)).order_by(DeliveryAttempt.id)).all()
    key = None
    for attempt in unknown:
        if delivers_in_database(message.channel):
            attempt.succeeded, attempt.error = False, NOT_DELIVERED  # its row would have been in the lost commit
        elif provider_deduplicates(message.channel):
            attempt.error, key = RESENT_UNDER_SAME_KEY, attempt.idempotency_key
        else:
            attempt.error = NEEDS_CHECK
            message.status, message.last_error = OutboxStatus.FAILED, NEEDS_CHECK
    return key


def begin_attempt(message_id: int, now: datetime, key: str) -> Outgoing | str:
    """Take the message and commit an attempt under the fresh idempotency `key` before anything is sent.

    Returns what to send, or why nothing is sent. Safe to run again with the same key after a commit
    whose outcome was lost: it finds the attempt it committed.
    """
    committed = db.session.scalar(sa.select(DeliveryAttempt).where(
        DeliveryAttempt.message_id == message_id, DeliveryAttempt.idempotency_key == key,
        DeliveryAttempt.succeeded.is_(None), DeliveryAttempt.error.is_(None)))
    if committed is not None:
        return _outgoing(db.session.get(OutboxMessage, message_id), committed)
    message = _take(message_id, now)
    if message is None:
        db.session.rollback()
        return "skipped"
    reason = postpone(message, now)
    if reason is None:
        key = settle_unknown_attempts(message) or key
        if message.status is OutboxStatus.FAILED:
            reason = "needs_check"
    if reason is not None:
        db.session.commit()
        return reason
    try:
        rendered = render_for_delivery(message)
    except DeliveryError as error:
        record_attempt(message, now, error)
        db.session.commit()
        return message.status.value
    outgoing = _outgoing(message, new_attempt(message, now, key), rendered)
    db.session.commit()
    return outgoing


def _outgoing(message: OutboxMessage, attempt: DeliveryAttempt, rendered: RenderedMessage | None = None) -> Outgoing:
    return Outgoing(message_id=message.id, channel=message.channel, recipient=message.recipient,
                    user_id=message.user_id, case_id=message.case_id,
                    rendered=rendered or render_for_delivery(message), attempt_id=attempt.id,
                    idempotency_key=attempt.idempotency_key)


def finish_attempt(outgoing: Outgoing, now: datetime, *, deliver_here: bool = False,
                   provider_message_id: str | None = None, error: DeliveryError | None = None) -> str:
    """Save the outcome of `outgoing`'s attempt; returns the message's status. Commits.

    With `deliver_here`, the channel's row (an alert, the local mailbox) is written in the same
    transaction. Safe to run again after a commit whose outcome was lost: a saved outcome stands.
    """
    attempt = db.session.get(DeliveryAttempt, outgoing.attempt_id)
    message = db.session.get(OutboxMessage, outgoing.message_id)
    if attempt.succeeded is None:
        if deliver_here:
            try:
                send_message(outgoing, now)
            except DeliveryError as failure:
                error = failure
        record_outcome(message, attempt, now, error, provider_message_id)
        db.session.commit()
    return message.status.value


def deliver(message_id: int, now: datetime) -> str:
    """Deliver one message if it is pending and due; returns what happened. Commits. Safe to run twice."""
    key = uuid.uuid4().hex
    outgoing = retry_on_disconnect(lambda: begin_attempt(message_id, now, key), seconds=DATABASE_PATIENCE_SECONDS)
    if isinstance(outgoing, str):
        return outgoing
    if delivers_in_database(outgoing.channel):
        return retry_on_disconnect(lambda: finish_attempt(outgoing, now, deliver_here=True),
                                   seconds=DATABASE_PATIENCE_SECONDS)
    provider_message_id, error = None, None
    try:
        provider_message_id = send_message(outgoing, now)
    except DeliveryError as failure:
        error = failure
    return retry_on_disconnect(
        lambda: finish_attempt(outgoing, now, provider_message_id=provider_message_id, error=error),
        seconds=DATABASE_PATIENCE_SECONDS)


def deliver_message(message_id: int, now: datetime | None = None) -> str:
    """The delivery job: send one outbox message if it is pending and due. Safe to run twice, or in two workers."""
    return deliver(message_id, now or utcnow())


def delivery_job_options(message_id: int, urgent: bool) -> dict:
    """Where and how a delivery job runs: hazards on "high"; one queued job per message at a time."""
    return {
        "queue": "high" if urgent else "default", "job_timeout": JOB_TIMEOUT_SECONDS,
        # A job that could not reach the database even after waiting it out (DATABASE_PATIENCE_SECONDS) is
        # tried again; the lease and the attempt rows make a second run harmless.
        "retry": Retry(max=3, interval=[10, 30, 60]),
        # While a job for the message is queued, running or waiting for its retry, enqueuing another is
        # refused (unique id). A failed job's record gives way after a minute, so the sweep can queue the
        # message again once an outage is over; the outbox row keeps the error.
        "job_id": f"deliver-message-{message_id}", "unique": True, "result_ttl": 0, "failure_ttl": 60,
    }


def enqueue_delivery(message_id: int, urgent: bool) -> None:
    """Deliver the message once the transaction that wrote (or changed) it commits."""
    enqueue_after_commit(deliver_message, message_id, **delivery_job_options(message_id, urgent))


def due_messages(now: datetime, limit: int) -> list[tuple[int, bool]]:
    """(id, urgent) of pending messages whose time has come, oldest first."""
    return db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.urgent)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at).limit(limit)
    ).all()
