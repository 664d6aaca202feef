"""The managers' dashboard: the period's figures from the roll-ups, and the backlog as it stands now.

Figures over the period (on-time rates, hazards, categories, districts, the monthly trend) read
the roll-ups. The open backlog and the overdue list are a snapshot of now, read from the open
cases only (a few thousand rows, by the status index), so they agree with the inbox they link to.
Each figure carries `drill`: the inbox query arguments that list its cases.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from casehub.cases.models import OPEN_CASES, Case
from casehub.cases.queries import city_midnight
from casehub.directory.models import Agency, Category, District
from casehub.extensions import db
from casehub.reports.queries import (
    ReportFilters, SlaFigures, SlaReport, cell_sums, hazard_category_ids, last_refreshed, monthly_on_time, report_of,
)
from casehub.reports.rollup import WorkingDayCounter, city_today
from casehub.sla.calendar import BusinessCalendar

TOP_CATEGORIES = 10


@dataclass(frozen=True)
class AgeBucket:
    """Open cases received between `received_from` and `received_to` (city days): their age in working days."""

    label: str
    min_days: int
    max_days: int | None
    received_from: date | None
    received_to: date


AGE_BUCKETS = ((0, 1), (2, 3), (4, 7), (8, None))  # the 0-1, 1-3, 3-7 and over-7 working-day bands


def age_buckets(today: date, counter: WorkingDayCounter) -> list[AgeBucket]:
    """The received dates whose age today falls in each band (age: working days after receipt up to today)."""
    buckets, newest = [], today
    for low, high in AGE_BUCKETS:
        if high is None:
            buckets.append(AgeBucket(f"{low - 1}+", low, None, None, newest))
            break
        oldest = newest
        while counter.between(oldest - timedelta(days=1), today) <= high:
            oldest -= timedelta(days=1)
        buckets.append(AgeBucket(f"{max(low - 1, 0)}-{high}", low, high, oldest, newest))
        newest = oldest - timedelta(days=1)
    return buckets


def inbox_scope(filters: ReportFilters) -> dict:
    """The inbox's query arguments for the filters (codes, not ids)."""
    args = {}
    for name, model in (("agency", Agency), ("category", Category), ("district", District)):
        value = getattr(filters, f"{name}_id")
        if value is not None:
            args[name] = db.session.scalar(sa.select(model.code).where(model.id == value))
    for name in ("channel", "kind"):
        if getattr(filters, name) is not None:
            args[name] = getattr(filters, name).value
    return args


def received_between(first: date, last: date) -> dict:
    """The inbox's arguments for every case (open or not) received in these city days."""
    return {"received_from": first.isoformat(), "received_to": last.isoformat(), "all": "1"}


def attach_drills(report: SlaReport, scope: dict) -> SlaReport:
    """Link each row to the cases received in the period in its group (figures about resolutions link there too)."""
    period = received_between(report.filters.first, report.filters.last)
    for row in report.rows:
        row.drill = scope | period | ({report.group_by: row.key} if row.key else {})
    return report


def live_conditions(filters: ReportFilters) -> list:
    """The filters, applied to cases as they are now; open cases only."""
    conditions = [OPEN_CASES]
    for name, column in (("agency_id", Case.agency_id), ("category_id", Case.category_id),
                         ("channel", Case.channel), ("district_id", Case.district_id), ("kind", Case.kind)):
        if getattr(filters, name) is not None:
            conditions.append(column == getattr(filters, name))
    return conditions


def backlog(filters: ReportFilters, *, now: datetime, calendar: BusinessCalendar, scope: dict) -> list[dict]:
    """Open cases now, by age in working days, each band with the inbox link listing it."""
    buckets = age_buckets(city_today(now), WorkingDayCounter(calendar))
    band = sa.case(*((Case.received_at >= city_midnight(bucket.received_from), index)
                     for index, bucket in enumerate(buckets[:-1])), else_=len(buckets) - 1)
    counts = dict(db.session.execute(
        sa.select(band, sa.func.count()).where(*live_conditions(filters)).group_by(band)).all())
    return [{"label": bucket.label, "min_days": bucket.min_days, "max_days": bucket.max_days,
             "count": counts.get(index, 0),
             "drill": scope | {"received_to": bucket.received_to.isoformat()}
             | ({"received_from": bucket.received_from.isoformat()} if bucket.received_from else {})}
            for index, bucket in enumerate(buckets)]


def overdue_by_agency(filters: ReportFilters, *, now: datetime, scope: dict) -> list[dict]:
    """Open cases past their deadline now, per agency, most first (the inbox's "overdue").

    Cases no agency holds (routing found none) come under a row without a code.
    """
    rows = db.session.execute(
        sa.select(Agency.code, Agency.name_zh, Agency.name_en, sa.func.count())
        .select_from(Case).outerjoin(Agency, Agency.id == Case.agency_id)
        .where(*live_conditions(filters), Case.due_at < now)
        .group_by(Agency.code, Agency.name_zh, Agency.name_en).order_by(sa.func.count().desc(), Agency.code))
    return [{"key": code, "name": name_zh, "name_en": name_en, "count": count,
             "drill": scope | ({"agency": code} if code else {}) | {"overdue": "true"}}
            for code, name_zh, name_en, count in rows]


def dashboard(filters: ReportFilters, *, now: datetime, calendar: BusinessCalendar) -> dict:
    """Everything the dashboard shows for `filters` (a period and optional agency, category, channel)."""
    scope = inbox_scope(filters)
    period = received_between(filters.first, filters.last)
    today = city_today(now)

    by_channel = cell_sums(filters.with_period(today, today), ("channel",))["channel"]
    today_by_channel = sorted(
        ({"key": channel.value, "received": row.received,
          "drill": scope | {"channel": channel.value} | received_between(today, today)}
         for channel, row in by_channel.items() if row.received),
        key=lambda item: -item["received"])

    sums = cell_sums(filters, ("agency", "category", "district"))  # one pass over the period's cells
    reports = {group_by: attach_drills(report_of(filters, group_by, figures, {}), scope)
               for group_by, figures in sums.items()}
    hazards = set(hazard_category_ids())
    hazard_rows = sorted((row for row in reports["category"].rows if row.ref in hazards), key=lambda row: -row.resolved)
    hazard_totals = SlaFigures()
    for row in hazard_rows:
        hazard_totals.add(row)
    trend = monthly_on_time(filters)
    for point in trend:
        point["drill"] = scope | received_between(point["first"], point["last"])
    return {
        "refreshed_at": last_refreshed(today),
        "totals": reports["agency"].totals,
        "today_by_channel": today_by_channel,
        "backlog": backlog(filters, now=now, calendar=calendar, scope=scope),
        "overdue_by_agency": overdue_by_agency(filters, now=now, scope=scope),
        "hazards": hazard_rows,
        "hazard_totals": hazard_totals,
        "on_time_by_agency": reports["agency"].rows,
        "trend": trend,
        "top_categories": reports["category"].rows[:TOP_CATEGORIES],
        "districts": reports["district"].rows,
        "scope": scope,
        "period": period,
    }
