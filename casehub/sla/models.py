"""SLA policies and the city's calendar exceptions."""
import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casehub.extensions import db
from casehub.models import enum_column, utcnow


class SlaClock(enum.StrEnum):
    HOURS = "hours"  # around the clock: hazards
    WORKING_DAYS = "working_days"  # Taiwan's business calendar: petitions


class SlaPolicy(db.Model):
    __tablename__ = "sla_policies"
    __table_args__ = (
        sa.CheckConstraint("resolution_target > 0", name="resolution_target_positive"),
        sa.CheckConstraint("first_response_minutes > 0", name="first_response_positive"),
        sa.CheckConstraint("escalation_cycle > 0", name="escalation_cycle_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(150))
    clock: Mapped[SlaClock] = mapped_column(enum_column(SlaClock, "sla_clock"))
    # Hours for the hour clock, working days for the working-day clock.
    resolution_target: Mapped[int]
    first_response_minutes: Mapped[int]
    # Fractions of the target for the hour clock, working days before due for the day clock.
    reminder_thresholds: Mapped[list] = mapped_column(default=list)
    escalation_cycle: Mapped[int]
    max_total_working_days: Mapped[int] = mapped_column(default=30)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class CalendarExceptionKind(enum.StrEnum):
    CLOSURE = "closure"  # typhoon day or other declared office closure
    WORKING_DAY = "working_day"  # extra working day not in the national calendar


class CalendarException(db.Model):
    __tablename__ = "calendar_exceptions"
    __table_args__ = (
        sa.CheckConstraint(
            "(closed_from IS NULL AND closed_until IS NULL) OR "
            "(closed_from IS NOT NULL AND closed_until IS NOT NULL AND closed_from < closed_until)",
            name="partial_closure_window",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[CalendarExceptionKind] = mapped_column(
        enum_column(CalendarExceptionKind, "calendar_exception_kind")
    )
    # A partial closure (offices closed from noon, say); both empty means the whole day.
    closed_from: Mapped[time | None]
    closed_until: Mapped[time | None]
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
