"""The monthly agency analysis the commission sends each agency: the month against the city and the month before.

Figures come from the roll-ups; the lists of overdue and reopened cases are read from the
agency's cases of the month (numbers, categories and times only: never personal data).
On the first working day of a month a job e-mails each agency's supervisors the previous
month's analysis through the outbox (one message per supervisor and month, ever).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from casehub.auth.models import Role, User
from casehub.cases.models import Case, CaseEvent, CaseStatus
from casehub.cases.queries import city_midnight
from casehub.directory.models import Agency
from casehub.extensions import db
from casehub.notify.models import OutboxChannel, OutboxMessage
from casehub.notify.outbox import add_to_outbox
from casehub.notify.rendering import message_language
from casehub.reports.queries import ReportFilters, SlaReport, add_months, city_sums, rate, sla_report
from casehub.reports.rollup import city_today, refresh_rollups
from casehub.sla.calendar import BusinessCalendar

MAX_LISTED = 1000  # cases listed per table; the counts above the tables are always complete
TEMPLATE = "monthly_analysis"


@dataclass
class MonthlyAnalysis:
    agency: Agency
    month: date
    first: date
    last: date
    this: SlaReport  # by kind, for the agency
    previous: SlaReport
    city: dict
    overdue_cases: list[dict]
    overdue_total: int
    reopened_cases: list[dict]
    reopened_total: int

    @property
    def city_on_time_rate(self) -> float | None:
        return rate(self.city["resolved_on_time"], self.city["resolved"])

    @property
    def city_satisfaction_rate(self) -> float | None:
        return rate(self.city["satisfied"], self.city["satisfaction_responses"])

    @property
    def has_activity(self) -> bool:
        totals = self.this.totals
        return bool(totals.received or totals.resolved or totals.overdue_open or self.overdue_total)


def month_period(month: date, today: date) -> tuple[date, date]:
    """The month's first day and its last (today, for the month under way)."""
    return month, min(add_months(month, 1) - timedelta(days=1), today)


def overdue_cases(agency: Agency, start: datetime, end: datetime) -> sa.Select:
    """The agency's cases late in the period: resolved late in it, or unresolved and past their deadline at its end."""
    late_resolution = sa.and_(Case.resolved_at >= start, Case.resolved_at < end, Case.resolved_at > Case.due_at)
    still_late = sa.and_(Case.received_at < end, Case.due_at < end,
                         sa.or_(Case.resolved_at.is_(None), Case.resolved_at >= end),
                         Case.status.not_in([CaseStatus.CANCELLED, CaseStatus.MERGED]))
    return (sa.select(Case).options(selectinload(Case.category))
            .where(Case.agency_id == agency.id, sa.or_(late_resolution, still_late)).order_by(Case.due_at))


def _delay(case: Case, end: datetime) -> timedelta:
    finished = case.resolved_at if case.resolved_at is not None and case.resolved_at < end else end
    return finished - case.due_at


def _listed(stmt: sa.Select) -> tuple[list, int]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    return list(db.session.scalars(stmt.limit(MAX_LISTED))), total


def monthly_analysis(agency: Agency, month: date, *, now: datetime) -> MonthlyAnalysis:
    """The agency's month (`month` is its first day), the month before, and the city's month."""
    today = city_today(now)
    first, last = month_period(month, today)
    previous_first, previous_last = month_period(add_months(month, -1), today)
    start, end = city_midnight(first), min(city_midnight(last + timedelta(days=1)), now)
    filters = ReportFilters(first, last, agency_id=agency.id)
    late, overdue_total = _listed(overdue_cases(agency, start, end))
    reopen_events = (sa.select(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
                     .options(selectinload(CaseEvent.case).selectinload(Case.category))
                     .where(Case.agency_id == agency.id, CaseEvent.type == "reopened",
                            CaseEvent.at >= start, CaseEvent.at < end).order_by(CaseEvent.at))
    reopened, reopened_total = _listed(reopen_events)
    return MonthlyAnalysis(
        agency=agency, month=month, first=first, last=last,
        this=sla_report(filters, "kind"),
        previous=sla_report(filters.with_period(previous_first, previous_last), "kind"),
        city=city_sums(first, last),
        overdue_cases=[{"number": case.number, "category": case.category, "kind": case.kind,
                        "received_at": case.received_at, "due_at": case.due_at,
                        "resolved_at": case.resolved_at if case.resolved_at and case.resolved_at < end else None,
                        "delay_hours": round(_delay(case, end).total_seconds() / 3600, 1)} for case in late],
        overdue_total=overdue_total,
        reopened_cases=[{"number": event.case.number, "category": event.case.category, "at": event.at,
                         "reopened_count": event.details.get("reopened_count"),
                         "by": event.details.get("by"), "status": event.case.status} for event in reopened],
        reopened_total=reopened_total,
    )


def first_working_day(month: date, calendar: BusinessCalendar) -> date:
    day = month
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def staff_url(endpoint: str, **values) -> str:
    """A page's full address for a message (built outside any request, from CASEHUB_BASE_URL)."""
    return current_app.config["BASE_URL"] + current_app.url_map.bind("casehub").build(endpoint, values)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.2f}%"


def _payload(analysis: MonthlyAnalysis, language: str) -> dict:
    """What the message quotes; rates already written out, as the template shows them."""
    this, previous = analysis.this.totals, analysis.previous.totals
    month = f"{analysis.month:%Y-%m}"
    return {
        "agency": analysis.agency.name(language), "month": month,
        "received": this.received, "resolved": this.resolved, "on_time_rate": _percent(this.on_time_rate),
        "previous_on_time_rate": _percent(previous.on_time_rate),
        "city_on_time_rate": _percent(analysis.city_on_time_rate),
        "overdue": analysis.overdue_total, "reopened": analysis.reopened_total,
        "satisfaction_rate": _percent(this.satisfaction_rate),
        "url": staff_url("reports.monthly", agency=analysis.agency.code, month=month),
        "xlsx_url": staff_url("reports.monthly_export", agency=analysis.agency.code, month=month, fmt="xlsx"),
    }


def send_monthly_analyses(now: datetime) -> int:
    """On or after the month's first working day, e-mail last month's analysis to every agency's supervisors.

    One outbox row per supervisor and month (its de-duplication key), so running this every
    hour, twice at once, or again after a crash sends each analysis once. Returns the rows written.
    """
    today = city_today(now)
    calendar = BusinessCalendar.load()
    if today < first_working_day(today.replace(day=1), calendar):
        return 0
    month = add_months(today, -1)
    refresh_rollups(now)  # last month's final days, should the scheduler have been away at midnight
    supervisors = db.session.scalars(
        sa.select(User).where(User.role == Role.AGENCY_SUPERVISOR, User.active, User.email.is_not(None))
        .order_by(User.agency_id, User.id)).all()
    keys = {user.id: f"monthly_analysis:{month:%Y-%m}:agency{user.agency_id}:user{user.id}:email"
            for user in supervisors}
    # Only to skip building analyses already sent; add_to_outbox is what guarantees once.
    sent = set(db.session.scalars(sa.select(OutboxMessage.dedup_key)
                                  .where(OutboxMessage.dedup_key.in_(list(keys.values())))))
    by_agency: dict[int, list[User]] = {}
    for user in supervisors:
        if keys[user.id] not in sent:
            by_agency.setdefault(user.agency_id, []).append(user)
    rows = []
    for agency_id, users in by_agency.items():
        analysis = monthly_analysis(db.session.get(Agency, agency_id), month, now=now)
        if not analysis.has_activity:
            continue
        for user in users:
            language = message_language(user.locale)
            rows.append({"dedup_key": keys[user.id], "channel": OutboxChannel.EMAIL, "recipient": user.email,
                         "template": TEMPLATE, "language": language, "payload": _payload(analysis, language),
                         "user_id": user.id, "next_attempt_at": now, "created_at": now})
    return len(add_to_outbox(rows))
