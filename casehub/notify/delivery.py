"""Delivering the outbox: taking a message (never two workers at once), the limits, retries, digests.

A worker takes a message with one conditional UPDATE (pending, due) that moves its
`next_attempt_at` a lease ahead and commits: a second worker, or a second run of the same job,
finds nothing to take. A worker that dies mid-send leaves the message pending; once the lease
has passed the sweep hands it out again.

Limits, checked when a message is taken (so they cover rows other features write too):
- a manager who chose the daily digest gets level-2 escalations in one message at the next office opening;
- SLA reminders to agencies wait for office hours, hazards excepted;
- past NOTIFY_HOURLY_LIMIT messages to one recipient in a clock hour, the rest wait for one digest
  at the next hour (hazards, digests and in-app alerts are not limited).
"""
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateError

from casehub.extensions import db
from casehub.notify.models import (DeliveryAttempt, NotificationPreference, OutboxChannel, OutboxMessage,
                                   OutboxStatus)
from casehub.notify.rendering import render_message
from casehub.notify.senders import DeliveryError, send_message
from casehub.sla.calendar import MAX_DAYS_SEARCHED, BusinessCalendar

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 10  # backoff 1, 2, 4 ... 60 minutes: about four hours of trying
DIGEST_TEMPLATE = "digest"
AGENCY_REMINDER_TEMPLATES = frozenset({"sla_reminder", "sla_first_response_overdue", "sla_overdue_supervisor"})
ESCALATION_TEMPLATE = "sla_escalation_manager"


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


def take_message(message_id: int, now: datetime) -> OutboxMessage | None:
    """Take a pending, due message for this worker (committed), or None when it is not ours to send."""
    taken = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(OutboxMessage, message_id) if taken else None


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


def record_attempt(message: OutboxMessage, now: datetime, error: DeliveryError | None = None) -> None:
    """Log one try; on success the message is sent, on failure it is retried later or, when hopeless, failed."""
    message.attempts += 1
    db.session.add(DeliveryAttempt(message_id=message.id, at=now, succeeded=error is None,
                                   error=None if error is None else str(error)))
    if error is None:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, None
    elif error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status, message.last_error = OutboxStatus.FAILED, str(error)
    else:
        message.next_attempt_at, message.last_error = now + backoff(message.attempts), str(error)


def _render(message: OutboxMessage):
    """The message's text; a template error (a missing variable, say) is a permanent failure, never a blank."""
    try:
        return render_message(message.template, message.language, message.payload)
    except TemplateError as error:
        raise DeliveryError(f"template {message.template} ({message.language}): {error}", permanent=True) from None


def deliver(message_id: int, now: datetime) -> str:
    """Deliver one message if it is pending and due; returns what happened. Commits. Safe to run twice."""
    message = take_message(message_id, now)
    if message is None:
        return "skipped"
    reason = postpone(message, now)
    if reason is None:
        try:
            send_message(message, _render(message), now)
        except DeliveryError as error:
            record_attempt(message, now, error)
        else:
            record_attempt(message, now)
    db.session.commit()
    return reason or message.status.value


def fold_due_digests(now: datetime) -> list[OutboxMessage]:
    """Bundle the held messages whose time has come into one digest per recipient; flushes, the caller commits."""
    held = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.HELD, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).with_for_update(skip_locked=True)
    ).all()
    groups = defaultdict(list)
    for message in held:
        groups[(message.channel, message.recipient, message.language, message.user_id)].append(message)
    digests = []
    for (channel, recipient, language, user_id), messages in groups.items():
        items = []
        for message in messages:
            try:
                rendered = _render(message)
            except DeliveryError as error:
                record_attempt(message, now, error)
                continue
            items.append({"case_number": message.payload.get("case_number"), "subject": rendered.subject,
                          "short": rendered.short})
        if not items:
            continue
        digest = OutboxMessage(dedup_key=f"digest:{messages[0].id}", channel=channel, recipient=recipient,
                               template=DIGEST_TEMPLATE, language=language, payload={"items": items},
                               user_id=user_id, next_attempt_at=now, created_at=now)
        db.session.add(digest)
        db.session.flush()
        for message in messages:
            if message.status is OutboxStatus.HELD:
                message.status, message.digest_id = OutboxStatus.DIGESTED, digest.id
        digests.append(digest)
    db.session.flush()
    return digests


def due_messages(now: datetime, limit: int) -> list[tuple[int, bool]]:
    """(id, urgent) of pending messages whose time has come, oldest first."""
    return db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.urgent)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at).limit(limit)
    ).all()
