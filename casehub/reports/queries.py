"""Reading the roll-ups: SLA figures grouped by one dimension, the call centre's figures, monthly trends.

Every figure here comes from the daily cells (casehub.reports.rollup), never from raw cases, so
a year costs what a day costs. Medians and 90th percentiles are exact: the cells keep each
resolution's handling time, and the lists of all cells in the period are merged.
Rates and shares are percentages with two decimals; None when there is nothing to divide by.
"""
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from casehub.cases.models import Channel
from casehub.directory.models import Agency, CaseKind, Category, District
from casehub.extensions import db
from casehub.labels import label
from casehub.reports.models import DailyAgencyStat, DailyCallStat, DailyCaseStat
from casehub.reports.rollup import CELL_COUNTS, Counts
from casehub.sla.models import SlaClock, SlaPolicy

GROUP_COLUMNS = {
    "agency": DailyCaseStat.agency_id,
    "category": DailyCaseStat.category_id,
    "channel": DailyCaseStat.channel,
    "district": DailyCaseStat.district_id,
    "kind": DailyCaseStat.kind,
}
GROUP_BY = tuple(GROUP_COLUMNS)
REFERENCE_TABLES = {"agency": Agency, "category": Category, "district": District}
SUMMED = tuple(name for name in CELL_COUNTS if name != "overdue_open")  # overdue is read at the period's end


@dataclass(frozen=True)
class ReportFilters:
    """A period of city days and, optionally, one agency, category, channel, district or kind."""

    first: date
    last: date
    agency_id: int | None = None
    category_id: int | None = None
    channel: Channel | None = None
    district_id: int | None = None
    kind: CaseKind | None = None

    def conditions(self) -> list:
        conditions = [DailyCaseStat.day.between(self.first, self.last)]
        for name, column in GROUP_COLUMNS.items():
            value = getattr(self, f"{name}_id" if name in REFERENCE_TABLES else name)
            if value is not None:
                conditions.append(column == value)
        return conditions

    def with_period(self, first: date, last: date) -> "ReportFilters":
        return replace(self, first=first, last=last)


def rate(part: int, whole: int) -> float | None:
    """`part` of `whole` as a percentage with two decimals."""
    return round(100 * part / whole, 2) if whole else None


def median(values: list) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list, fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


@dataclass(frozen=True)
class HandlingTimes:
    """Exact median and 90th percentile of handling times, in minutes and in working days."""

    median_minutes: float | None = None
    p90_minutes: float | None = None
    median_working_days: float | None = None
    p90_working_days: float | None = None

    @classmethod
    def of(cls, minutes: list, working_days: list) -> "HandlingTimes":
        return cls(median(minutes), percentile(minutes, 0.9), median(working_days), percentile(working_days, 0.9))


@dataclass
class SlaFigures(Counts):
    """One row of the SLA report (or its totals)."""

    key: str | None = None  # the code (or channel, kind) the row is about
    name: str | None = None
    name_en: str | None = None
    ref: object = None  # the value in the cells: an id, a Channel or a CaseKind
    drill: dict = field(default_factory=dict)  # inbox query arguments listing the row's cases
    # Handling times do not add up with the counts: they are computed for each group.
    times: HandlingTimes = field(default_factory=HandlingTimes)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.resolved_on_time, self.resolved)

    @property
    def first_response_rate(self) -> float | None:
        return rate(self.first_response_on_time, self.first_responses)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.satisfaction_responses)

    @property
    def median_hours(self) -> float | None:
        return _hours(self.times.median_minutes)

    @property
    def p90_hours(self) -> float | None:
        return _hours(self.times.p90_minutes)

    def as_dict(self) -> dict:
        """The API's row: the figures the SLA report promises, plus first responses and satisfaction."""
        return {"key": self.key, "name": self.name, "name_en": self.name_en, "received": self.received,
                "resolved": self.resolved, "resolved_on_time": self.resolved_on_time,
                "on_time_rate": self.on_time_rate, "overdue_open": self.overdue_open,
                "median_hours": self.median_hours, "p90_hours": self.p90_hours,
                "median_working_days": self.times.median_working_days,
                "p90_working_days": self.times.p90_working_days, "reopened": self.reopened,
                "first_responses": self.first_responses, "first_response_rate": self.first_response_rate,
                "satisfaction_responses": self.satisfaction_responses, "satisfaction_rate": self.satisfaction_rate}


@dataclass
class SlaReport:
    group_by: str
    filters: ReportFilters
    rows: list[SlaFigures]
    totals: SlaFigures


def names_of(group_by: str, keys) -> dict:
    """key value (id, Channel or CaseKind) -> (code, zh name, English name)."""
    keys = [key for key in keys if key is not None]
    model = REFERENCE_TABLES.get(group_by)
    if model is not None:
        rows = db.session.execute(sa.select(model.id, model.code, model.name_zh, model.name_en)
                                  .where(model.id.in_(keys)))
        return {id_: (code, zh, en) for id_, code, zh, en in rows}
    names = {}
    for key in keys:
        with force_locale("zh_TW"):
            zh = label(group_by, key)
        with force_locale("en"):
            en = label(group_by, key)
        names[key] = (key.value, zh, en)
    return names


def cell_sums(filters: ReportFilters, columns: tuple) -> dict[tuple, SlaFigures]:
    """The counts summed over the period, grouped by `columns` (GROUP_COLUMNS); overdue as at its last day."""
    figures: dict[tuple, SlaFigures] = defaultdict(SlaFigures)
    sums = db.session.execute(
        sa.select(*columns, *(sa.func.sum(getattr(DailyCaseStat, name)) for name in SUMMED))
        .where(*filters.conditions()).group_by(*columns))
    for row in sums:
        totals = figures[tuple(row[:len(columns)])]
        for name, value in zip(SUMMED, row[len(columns):]):
            setattr(totals, name, int(value or 0))
    overdue = db.session.execute(
        sa.select(*columns, sa.func.sum(DailyCaseStat.overdue_open))
        .where(*filters.with_period(filters.last, filters.last).conditions(), DailyCaseStat.overdue_open > 0)
        .group_by(*columns))
    for row in overdue:
        figures[tuple(row[:len(columns)])].overdue_open = int(row[-1])
    return figures


ALL = "all"  # the key of the totals in handling_times


def handling_times(filters: ReportFilters, column, *, in_database: bool | None = None) -> dict:
    """Handling times per value of `column`, and for all of them under ALL, merged from every cell of the period.

    PostgreSQL computes them itself (percentile_cont for the median, percentile_disc, the
    nearest rank, for the 90th percentile); elsewhere, or with `in_database=False`, the
    cells' lists are merged here. Both give the same figures (a test says so).
    """
    conditions = [*filters.conditions(), DailyCaseStat.resolved > 0]
    if in_database is None:
        in_database = db.session.get_bind().dialect.name == "postgresql"
    if not in_database:
        merged = defaultdict(lambda: ([], []))
        for key, minutes, working_days in db.session.execute(
                sa.select(column, DailyCaseStat.handling_minutes, DailyCaseStat.handling_working_days)
                .where(*conditions)):
            for group in (key, ALL):
                merged[group][0].extend(minutes)
                merged[group][1].extend(working_days)
        return {key: HandlingTimes.of(minutes, working_days) for key, (minutes, working_days) in merged.items()}
    # Both lists of a cell have one entry per resolution: unnested side by side in the select list, they stay paired.
    values = sa.select(
        column.label("key"),
        sa.cast(sa.func.json_array_elements_text(DailyCaseStat.handling_minutes), sa.Integer).label("minutes"),
        sa.cast(sa.func.json_array_elements_text(DailyCaseStat.handling_working_days), sa.Integer).label("days"),
    ).where(*conditions).subquery()
    rows = db.session.execute(sa.select(
        values.c.key, sa.func.grouping(values.c.key),
        *(aggregate.within_group(values.c[unit]) for unit in ("minutes", "days")
          for aggregate in (sa.func.percentile_cont(0.5), sa.func.percentile_disc(0.9))),
    ).group_by(sa.func.grouping_sets(sa.tuple_(values.c.key), sa.tuple_())))
    return {ALL if is_total else key: HandlingTimes(*times) for key, is_total, *times in rows}


def sla_report(filters: ReportFilters, group_by: str, *, with_times: bool = True) -> SlaReport:
    """The SLA report: one row per value of `group_by`, most cases received first, and the totals."""
    column = GROUP_COLUMNS[group_by]
    figures = {key: row for (key,), row in cell_sums(filters, (column,)).items()}
    return _report(filters, group_by, figures, handling_times(filters, column) if with_times else {})


def _report(filters: ReportFilters, group_by: str, figures: dict, times: dict) -> SlaReport:
    names = names_of(group_by, figures)
    totals = SlaFigures(times=times.get(ALL, HandlingTimes()))
    rows = []
    for key, row in figures.items():
        row.ref, row.times = key, times.get(key, HandlingTimes())
        row.key, row.name, row.name_en = names.get(key, (None, None, None))
        totals.add(row)
        rows.append(row)
    rows.sort(key=lambda row: (-row.received, row.key or ""))
    return SlaReport(group_by=group_by, filters=filters, rows=rows, totals=totals)


def regroup(figures: dict[tuple, SlaFigures], columns: tuple, group_by: str, filters: ReportFilters) -> SlaReport:
    """The report by `group_by` from sums grouped by several `columns` (one scan of the cells for several tables)."""
    index = columns.index(GROUP_COLUMNS[group_by])
    grouped: dict = defaultdict(SlaFigures)
    for key, row in figures.items():
        grouped[key[index]].add(row)
    return _report(filters, group_by, grouped, {})


def months_in(first: date, last: date) -> float:
    """How many months the period spans: whole months count 1, a part of a month its share of the days."""
    months, day = 0.0, first
    while day <= last:
        next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        covered_last = min(last, next_month - timedelta(days=1))
        months += ((covered_last - day).days + 1) / (next_month - day.replace(day=1)).days
        day = next_month
    return months


CALL_SUMS = ("total", "consultation", "case", "other", "answered_immediately", "handling_seconds",
             "satisfaction_responses", "satisfied")


def calls_report(first: date, last: date) -> dict:
    """The call centre's figures over the period, as the annual report gives them."""
    values = db.session.execute(
        sa.select(*(sa.func.coalesce(sa.func.sum(getattr(DailyCallStat, name)), 0) for name in CALL_SUMS))
        .where(DailyCallStat.day.between(first, last))).one()
    sums = dict(zip(CALL_SUMS, (int(value) for value in values)))
    outcomes = ("consultation", "case", "other")
    total = sums["total"]
    return {
        "from": first.isoformat(), "to": last.isoformat(), "total": total,
        "monthly_average": round(total / months_in(first, last)),
        "by_outcome": {outcome: sums[outcome] for outcome in outcomes},
        "shares": {outcome: rate(sums[outcome], total) for outcome in outcomes},
        "answered_immediately": sums["answered_immediately"],
        "answered_immediately_rate": rate(sums["answered_immediately"], sums["consultation"]),
        "average_handling_seconds": round(sums["handling_seconds"] / total) if total else None,
        "satisfaction_responses": sums["satisfaction_responses"],
        "satisfaction_rate": rate(sums["satisfied"], sums["satisfaction_responses"]),
    }


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _by_agency_only(filters: ReportFilters) -> bool:
    return all(getattr(filters, name) is None for name in ("category_id", "channel", "district_id", "kind"))


def monthly_on_time(filters: ReportFilters, months: int = 12) -> list[dict]:
    """On-time rate month by month, for the `months` months ending with the period's last month.

    Without a category, channel, district or kind filter this reads the per-agency days (a year is a few
    thousand rows); with one, the cells themselves.
    """
    first = add_months(filters.last, -(months - 1))
    if _by_agency_only(filters):
        table = DailyAgencyStat
        conditions = [table.day.between(first, filters.last)]
        if filters.agency_id is not None:
            conditions.append(table.agency_id == filters.agency_id)
    else:
        table, conditions = DailyCaseStat, filters.with_period(first, filters.last).conditions()
    year, month = sa.extract("year", table.day), sa.extract("month", table.day)
    rows = db.session.execute(
        sa.select(year, month, sa.func.sum(table.resolved), sa.func.sum(table.resolved_on_time))
        .where(*conditions).group_by(year, month))
    found = {(int(y), int(m)): (int(resolved or 0), int(on_time or 0)) for y, m, resolved, on_time in rows}
    trend = []
    for n in range(months):
        start = add_months(first, n)
        resolved, on_time = found.get((start.year, start.month), (0, 0))
        trend.append({"month": start.strftime("%Y-%m"), "first": start,
                      "last": min(add_months(start, 1) - timedelta(days=1), filters.last),
                      "resolved": resolved, "resolved_on_time": on_time, "on_time_rate": rate(on_time, resolved)})
    return trend


def agency_day_sums(first: date, last: date, agency_id: int | None = None) -> dict:
    """received, resolved, on time and satisfaction over a period, for one agency or (None) the whole city."""
    names = ("received", "resolved", "resolved_on_time", "satisfaction_responses", "satisfied")
    conditions = [DailyAgencyStat.day.between(first, last)]
    if agency_id is not None:
        conditions.append(DailyAgencyStat.agency_id == agency_id)
    values = db.session.execute(sa.select(*(sa.func.coalesce(sa.func.sum(getattr(DailyAgencyStat, name)), 0)
                                            for name in names)).where(*conditions)).one()
    return dict(zip(names, (int(value) for value in values)))


def hazard_category_ids() -> list[int]:
    """Categories on an hour clock: the hazards the city must handle within four hours."""
    return list(db.session.scalars(sa.select(Category.id).join(SlaPolicy, Category.sla_policy_id == SlaPolicy.id)
                                   .where(SlaPolicy.clock == SlaClock.HOURS)))


def last_refreshed(day: date):
    """When the roll-up of `day` was last computed (None if never)."""
    return db.session.scalar(sa.select(DailyCallStat.computed_at).where(DailyCallStat.day == day))
