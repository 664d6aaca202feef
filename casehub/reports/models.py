"""Statistics roll-ups that reports read instead of raw cases."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from casehub.cases.models import Channel
from casehub.directory.models import CaseKind
from casehub.extensions import db
from casehub.models import enum_column, utcnow

INTEGER_LIST = sa.JSON().with_variant(postgresql.ARRAY(sa.Integer), "postgresql")


class CellCounts:
    """The counted figures of a roll-up cell (casehub.reports.rollup.CELL_COUNTS)."""

    received: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    resolved_on_time: Mapped[int] = mapped_column(default=0)
    overdue_open: Mapped[int] = mapped_column(default=0)
    first_responses: Mapped[int] = mapped_column(default=0, server_default="0")
    first_response_on_time: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[int] = mapped_column(default=0)
    satisfaction_responses: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class DailyCaseStat(CellCounts, db.Model):
    """One cell: day x agency x category x channel x district x kind (the case's, when the day was computed).

    Each figure counts what happened on that day in the city's time zone: cases received,
    resolutions (on time when before the deadline then in force), first responses (the first
    acceptance or resolution), reopenings, cancellations and citizens' ratings; `overdue_open`
    is the cases open and past their deadline at the end of the day (at the time of the last
    refresh for today). See casehub.reports.rollup.

    Cells are derived data, rebuilt wholesale, so their ids carry no foreign keys: checking three
    per row took a third of the time of writing a month, and agencies, categories and districts
    are never deleted (only deactivated).
    """

    __tablename__ = "daily_case_stats"
    __table_args__ = (
        sa.UniqueConstraint(
            "day", "agency_id", "category_id", "channel", "district_id", "kind", name="cell"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    agency_id: Mapped[int | None]
    category_id: Mapped[int]
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    district_id: Mapped[int | None]
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_kind"))
    # Each resolved case's handling time, so medians and percentiles over any range stay exact.
    handling_minutes: Mapped[list] = mapped_column(default=list)
    handling_working_days: Mapped[list] = mapped_column(default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    final: Mapped[bool] = mapped_column(default=False)


class DailyCallStat(db.Model):
    """The call centre's day; written for every rolled-up day, zeros included, so it also records which
    days have been computed and which are final."""

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


class DailyGroupStat(CellCounts, db.Model):
    """Per day and value of one dimension (agency, category, channel, district or kind), the cells' figures
    summed and their handling times merged: a month by one dimension is a few hundred rows, not every cell.

    `dimension` is the cell column (agency_id, category_id, channel, district_id, kind) and `value` its
    value as text ("" for none). Reports without filters beyond the period read these; written with the
    day's cells, derived data like them.
    """

    __tablename__ = "daily_group_stats"
    __table_args__ = (
        sa.UniqueConstraint("day", "dimension", "value", name="day_dimension_value"),
        # The monthly trend reads one dimension (or one agency) over a year: without this, every row of the year.
        sa.Index("ix_daily_group_stats_dimension_value_day", "dimension", "value", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    dimension: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[str] = mapped_column(sa.String(32))
    # Integer arrays on PostgreSQL: a month of them loads several times faster than the same lists as JSON.
    handling_minutes: Mapped[list] = mapped_column(INTEGER_LIST, default=list)
    handling_working_days: Mapped[list] = mapped_column(INTEGER_LIST, default=list)
