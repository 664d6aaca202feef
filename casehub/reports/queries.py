"""Reading the roll-ups: SLA figures grouped by one dimension, the call centre's figures, monthly trends.

Every figure here comes from the daily cells (casehub.reports.rollup), never from raw cases, so
a year costs what a day costs. Medians and 90th percentiles are exact: the cells keep each
resolution's handling time, and the lists of all cells in the period are merged.
Rates and shares are percentages with two decimals; None when there is nothing to divide by.
"""
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from casehub.cases.models import Channel
from casehub.directory.models import Agency, CaseKind, Category, District
from casehub.extensions import db
from casehub.labels import label
from casehub.reports.models import DailyCallStat, DailyCaseStat, DailyGroupStat
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

    @property
    def period_only(self) -> bool:
        return all(getattr(self, name) is None for name in ("agency_id", "category_id", "channel", "district_id",
                                                            "kind"))

    def with_period(self, first: date, last: date) -> "ReportFilters":
        return replace(self, first=first, last=last)


def rate(part: int, whole: int) -> float | None:
    """`part` of `whole` as a percentage with two decimals."""
    return round(100 * part / whole, 2) if whole else None


def median_and_p90(values: list) -> tuple[float | None, float | None]:
    """The median (the mean of the two middle values for an even count) and the nearest-rank 90th percentile
    (the smallest value with at least 90% of the values at or below it); one sort for both."""
    if not values:
        return None, None
    ordered, middle = sorted(values), len(values) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return median, ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


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
        return cls(*median_and_p90(minutes), *median_and_p90(working_days))


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


def cell_sums(filters: ReportFilters, group_bys: tuple[str, ...]) -> dict[str, dict]:
    """For each of `group_bys` (GROUP_BY names), the counts summed over the period per value; overdue as at its
    last day. Without filters beyond the period they come from the per-dimension days; else from the cells,
    where PostgreSQL answers several groupings in one pass (GROUPING SETS)."""
    if filters.period_only:
        return _group_sums(filters, group_bys)
    if len(group_bys) > 1 and db.session.get_bind().dialect.name != "postgresql":
        return {group_by: cell_sums(filters, (group_by,))[group_by] for group_by in group_bys}
    columns = [GROUP_COLUMNS[group_by] for group_by in group_bys]
    several = len(columns) > 1
    grouping = sa.func.grouping_sets(*(sa.tuple_(column) for column in columns)) if several else columns[0]
    flags = [sa.func.grouping(column) for column in columns] if several else []

    def grouped(aggregates: list, conditions: list):
        """(group_by, key, aggregate values) per row: the row's grouping set is the one column flagged 0."""
        rows = db.session.execute(sa.select(*columns, *flags, *aggregates).where(*conditions).group_by(grouping))
        for row in rows:
            index = list(row[len(columns):2 * len(columns)]).index(0) if several else 0
            yield group_bys[index], row[index], row[len(columns) + len(flags):]

    figures = {group_by: defaultdict(SlaFigures) for group_by in group_bys}
    for group_by, key, values in grouped([sa.func.sum(getattr(DailyCaseStat, name)) for name in SUMMED],
                                         filters.conditions()):
        totals = figures[group_by][key]
        for name, value in zip(SUMMED, values):
            setattr(totals, name, int(value or 0))
    for group_by, key, (overdue,) in grouped([sa.func.sum(DailyCaseStat.overdue_open)], [
            *filters.with_period(filters.last, filters.last).conditions(), DailyCaseStat.overdue_open > 0]):
        figures[group_by][key].overdue_open = int(overdue)
    return figures


def _group_sums(filters: ReportFilters, group_bys: tuple[str, ...]) -> dict[str, dict]:
    """cell_sums from daily_group_stats: a few hundred rows a month for each grouping."""
    table = DailyGroupStat
    dimensions = {GROUP_COLUMNS[group_by].key: group_by for group_by in group_bys}
    figures = {group_by: defaultdict(SlaFigures) for group_by in group_bys}
    keys = {group_by: _stored_key(group_by) for group_by in group_bys}
    sums = db.session.execute(
        sa.select(table.dimension, table.value, *(sa.func.sum(getattr(table, name)) for name in SUMMED))
        .where(table.day.between(filters.first, filters.last), table.dimension.in_(list(dimensions)))
        .group_by(table.dimension, table.value))
    for dimension, value, *values in sums:
        group_by = dimensions[dimension]
        totals = figures[group_by][keys[group_by](value)]
        for name, count in zip(SUMMED, values):
            setattr(totals, name, int(count or 0))
    overdue = db.session.execute(
        sa.select(table.dimension, table.value, table.overdue_open)
        .where(table.day == filters.last, table.dimension.in_(list(dimensions)), table.overdue_open > 0))
    for dimension, value, count in overdue:
        group_by = dimensions[dimension]
        figures[group_by][keys[group_by](value)].overdue_open = count
    return figures


ALL = "all"  # the key of the totals in handling_times


def _stored_key(group_by: str):
    """daily_group_stats' text value back to the cells' key: an id, a Channel, a CaseKind, or None."""
    convert = {"channel": Channel, "kind": CaseKind}.get(group_by, int)
    return lambda value: convert(value) if value else None


def _times_source(filters: ReportFilters, group_by: str):
    """Where a period's handling times by `group_by` are read: the per-dimension days when only the period is
    filtered (a few hundred rows a month), else the cells themselves. (key, minutes, days, conditions, to_key)"""
    if filters.period_only:
        table = DailyGroupStat
        return (table.value, table.handling_minutes, table.handling_working_days,
                [table.day.between(filters.first, filters.last), table.dimension == GROUP_COLUMNS[group_by].key],
                _stored_key(group_by))
    return (GROUP_COLUMNS[group_by], DailyCaseStat.handling_minutes, DailyCaseStat.handling_working_days,
            [*filters.conditions(), DailyCaseStat.resolved > 0], lambda key: key)


def handling_times(filters: ReportFilters, group_by: str, *, in_database: bool = True) -> dict:
    """Handling times per value of `group_by`, and for all of them under ALL, merged over the period.

    The per-dimension days (a few hundred rows for a month) are merged here. Over the cells,
    thousands of rows, PostgreSQL computes them itself (percentile_cont for the median,
    percentile_disc, the nearest rank, for the 90th percentile); SQLite's, or with
    `in_database=False`, are merged here too. Both ways give the same figures (a test says so).
    """
    key_column, minutes_column, days_column, conditions, to_key = _times_source(filters, group_by)
    if filters.period_only or in_database is False or db.session.get_bind().dialect.name != "postgresql":
        merged = defaultdict(lambda: ([], []))
        for key, minutes, working_days in db.session.execute(
                sa.select(key_column, minutes_column, days_column).where(*conditions)):
            for group in (to_key(key), ALL):
                merged[group][0].extend(minutes)
                merged[group][1].extend(working_days)
        return {key: HandlingTimes.of(minutes, working_days) for key, (minutes, working_days) in merged.items()}
    # Both lists of a row have one entry per resolution: unnested side by side in the select list, they stay paired.
    values = sa.select(
        key_column.label("key"),
        sa.cast(sa.func.json_array_elements_text(minutes_column), sa.Integer).label("minutes"),
        sa.cast(sa.func.json_array_elements_text(days_column), sa.Integer).label("days"),
    ).where(*conditions).subquery()
    rows = db.session.execute(sa.select(
        values.c.key, sa.func.grouping(values.c.key),
        *(aggregate.within_group(values.c[unit]) for unit in ("minutes", "days")
          for aggregate in (sa.func.percentile_cont(0.5), sa.func.percentile_disc(0.9))),
    ).group_by(sa.func.grouping_sets(sa.tuple_(values.c.key), sa.tuple_())))
    return {ALL if is_total else to_key(key): HandlingTimes(*times) for key, is_total, *times in rows}


def sla_report(filters: ReportFilters, group_by: str, *, with_times: bool = True) -> SlaReport:
    """The SLA report: one row per value of `group_by`, most cases received first, and the totals."""
    figures = cell_sums(filters, (group_by,))[group_by]
    return report_of(filters, group_by, figures, handling_times(filters, group_by) if with_times else {})


def report_of(filters: ReportFilters, group_by: str, figures: dict, times: dict) -> SlaReport:
    """Name the rows of `cell_sums` for one grouping, give them their handling times, and total them."""
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


def _agency_days(filters: ReportFilters) -> list | None:
    """Conditions on daily_group_stats giving each case once, when the filters are at most an agency: its
    agency_id rows, or for the whole city the kind rows (each cell is under exactly one kind). Else None."""
    if any(getattr(filters, name) is not None for name in ("category_id", "channel", "district_id", "kind")):
        return None
    if filters.agency_id is not None:
        return [DailyGroupStat.dimension == "agency_id", DailyGroupStat.value == str(filters.agency_id)]
    return [DailyGroupStat.dimension == "kind"]


def monthly_on_time(filters: ReportFilters, months: int = 12) -> list[dict]:
    """On-time rate month by month, for the `months` months ending with the period's last month.

    Filtered at most by agency (the dashboard's usual case) this reads the per-dimension days, a few
    thousand rows a year; with other filters, the cells themselves.
    """
    first = add_months(filters.last, -(months - 1))
    by_agency = _agency_days(filters)
    if by_agency is not None:
        table, conditions = DailyGroupStat, [DailyGroupStat.day.between(first, filters.last), *by_agency]
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


def city_sums(first: date, last: date) -> dict:
    """received, resolved, on time and satisfaction over a period, for the whole city."""
    names = ("received", "resolved", "resolved_on_time", "satisfaction_responses", "satisfied")
    filters = ReportFilters(first, last)
    values = db.session.execute(sa.select(*(sa.func.coalesce(sa.func.sum(getattr(DailyGroupStat, name)), 0)
                                            for name in names))
                                .where(DailyGroupStat.day.between(first, last), *_agency_days(filters))).one()
    return dict(zip(names, (int(value) for value in values)))


def hazard_category_ids() -> list[int]:
    """Categories on an hour clock: the hazards the city must handle within four hours."""
    return list(db.session.scalars(sa.select(Category.id).join(SlaPolicy, Category.sla_policy_id == SlaPolicy.id)
                                   .where(SlaPolicy.clock == SlaClock.HOURS)))


def last_refreshed(day: date):
    """When the roll-up of `day` was last computed (None if never)."""
    return db.session.scalar(sa.select(DailyCallStat.computed_at).where(DailyCallStat.day == day))
