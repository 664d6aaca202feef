"""Whether background work keeps up: the scheduler's heartbeat, the last SLA sweep, the oldest pending message.

Read by /readyz, /metrics and the staff banner. The thresholds are settings (README: "Health, metrics and
the staff banner").
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casehub.extensions import db
from casehub.health.models import Beat, Heartbeat
from casehub.notify.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class OperationsStatus:
    scheduler_at: datetime | None
    scheduler_source: str | None
    sweep_at: datetime | None
    oldest_pending_at: datetime | None

    def scheduler_age(self, now: datetime) -> timedelta | None:
        return None if self.scheduler_at is None else now - self.scheduler_at

    def sweep_age(self, now: datetime) -> timedelta | None:
        return None if self.sweep_at is None else now - self.sweep_at

    def oldest_pending_age(self, now: datetime) -> timedelta | None:
        return None if self.oldest_pending_at is None else now - self.oldest_pending_at

    def scheduler_stale(self, now: datetime) -> bool:
        """No heartbeat, or none for SCHEDULER_STALE_MINUTES: no scheduler acts."""
        return _older_than(self.scheduler_age(now), current_app.config["SCHEDULER_STALE_MINUTES"])

    def sweep_late(self, now: datetime) -> bool:
        """No SLA sweep has finished for SWEEP_LATE_MINUTES (or ever): reminders and escalations are not written."""
        return _older_than(self.sweep_age(now), current_app.config["SWEEP_LATE_MINUTES"])

    def messages_late(self, now: datetime) -> bool:
        """A message has been pending for MESSAGE_LATE_MINUTES: deliveries are not keeping up."""
        age = self.oldest_pending_age(now)
        return age is not None and _older_than(age, current_app.config["MESSAGE_LATE_MINUTES"])

    def behind(self, now: datetime) -> bool:
        """What staff are warned of: their deadlines' notices may be late."""
        return self.sweep_late(now) or self.messages_late(now)


def _older_than(age: timedelta | None, minutes: int) -> bool:
    return age is None or age > timedelta(minutes=minutes)


def read_operations_status() -> OperationsStatus:
    """The three times, in one query (a few index look-ups)."""

    def beat(column, name: Beat):
        return sa.select(column).where(Heartbeat.name == name).scalar_subquery()

    oldest_pending = (sa.select(sa.func.min(OutboxMessage.created_at))
                      .where(OutboxMessage.status == OutboxStatus.PENDING).scalar_subquery())
    row = db.session.execute(sa.select(
        beat(Heartbeat.at, Beat.SCHEDULER), beat(Heartbeat.source, Beat.SCHEDULER),
        beat(Heartbeat.at, Beat.SLA_SWEEP), oldest_pending)).one()
    return OperationsStatus(*row)


def cached_operations_status(now: datetime) -> OperationsStatus:
    """read_operations_status(), read again at most every OPERATIONS_STATUS_CACHE_SECONDS in this process.

    Every staff page asks; the answer may be that old, which is fine for minutes-long thresholds. Two threads
    may both read when it runs out: harmless, each stores the same kind of answer.
    """
    app = current_app._get_current_object()
    cached = app.extensions.get("operations_status")
    if cached is not None and now - cached[0] < timedelta(seconds=app.config["OPERATIONS_STATUS_CACHE_SECONDS"]):
        return cached[1]
    status = read_operations_status()
    app.extensions["operations_status"] = (now, status)
    return status
