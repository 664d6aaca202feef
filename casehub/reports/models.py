"""Statistics roll-ups that reports read instead of raw cases."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casehub.cases.models import Channel
from casehub.directory.models import CaseKind
from casehub.extensions import db
from casehub.models import enum_column, utcnow


class DailyCaseStat(db.Model):
    """One cell: day x agency x category x channel x district x kind."""

    __tablename__ = "daily_case_stats"
    __table_args__ = (
        sa.UniqueConstraint(
            "day", "agency_id", "category_id", "channel", "district_id", "kind", name="cell"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"))
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_kind"))
    received: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    resolved_on_time: Mapped[int] = mapped_column(default=0)
    overdue_open: Mapped[int] = mapped_column(default=0)
    first_response_on_time: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[int] = mapped_column(default=0)
    satisfaction_responses: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)
    # Each resolved case's handling time, so medians and percentiles over any range stay exact.
    handling_minutes: Mapped[list] = mapped_column(default=list)
    handling_working_days: Mapped[list] = mapped_column(default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    final: Mapped[bool] = mapped_column(default=False)


class DailyCallStat(db.Model):
    __tablename__ = "daily_call_stats"

    day: Mapped[date] = mapped_column(primary_key=True)
    total: Mapped[int] = mapped_column(default=0)
    consultation: Mapped[int] = mapped_column(default=0)
    case: Mapped[int] = mapped_column(default=0)
    other: Mapped[int] = mapped_column(default=0)
    answered_immediately: Mapped[int] = mapped_column(default=0)
    handling_seconds: Mapped[int] = mapped_column(default=0)
    satisfaction_responses: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    final: Mapped[bool] = mapped_column(default=False)
