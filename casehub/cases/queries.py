"""Reading cases for staff: one case by number, and the filtered, scoped list behind inboxes and the API."""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload

from casehub.auth.access import scope_to_agency
from casehub.auth.models import User
from casehub.cases.models import OPEN_CASES, Case, CaseEvent, CaseStatus
from casehub.directory.models import Agency, Category, District
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.models import city_zone

DUE_SOON = timedelta(hours=24)


def city_midnight(day: date) -> datetime:
    """The moment `day` begins in the city's time zone."""
    return datetime.combine(day, time.min, city_zone())


def find_case_for_staff(number: str, user: User) -> Case:
    """The case with this number, if `user` may see it; otherwise 404 without revealing it exists."""
    case = db.session.scalar(sa.select(Case).where(Case.number == number))
    if case is None or (user.role.needs_agency and case.agency_id != user.agency_id):
        raise DomainError("not_found", "No such case.", status=404)
    return case


def case_events(case: Case) -> list[CaseEvent]:
    stmt = (sa.select(CaseEvent).where(CaseEvent.case_id == case.id)
            .options(joinedload(CaseEvent.actor)).order_by(CaseEvent.id))
    return list(db.session.scalars(stmt))


def filtered_cases(user: User, filters: dict, *, now: datetime) -> sa.Select:
    """Cases `user` may see, filtered; open cases first by due time, then the newest."""
    stmt = scope_to_agency(sa.select(Case), user, Case.agency_id).options(
        joinedload(Case.category), joinedload(Case.agency), joinedload(Case.district),
        # Lists never show these; their JSON is not decoded for every row (and reading one is an error).
        defer(Case.due_explanation, raiseload=True), defer(Case.routing_reason, raiseload=True),
        defer(Case.attributes, raiseload=True))
    if filters.get("status"):
        stmt = stmt.where(Case.status == CaseStatus(filters["status"]))
    elif filters.get("open_only"):
        stmt = stmt.where(OPEN_CASES)
    if filters.get("agency"):
        stmt = stmt.join(Agency, Agency.id == Case.agency_id).where(Agency.code == filters["agency"])
    if filters.get("category"):
        stmt = stmt.join(Category, Category.id == Case.category_id).where(Category.code == filters["category"])
    if filters.get("district"):
        stmt = stmt.join(District, District.id == Case.district_id).where(District.code == filters["district"])
    if filters.get("channel"):
        stmt = stmt.where(Case.channel == filters["channel"])
    if filters.get("kind"):
        stmt = stmt.where(Case.kind == filters["kind"])
    if filters.get("overdue"):
        stmt = stmt.where(OPEN_CASES, Case.due_at < now)
    if filters.get("due_soon"):
        stmt = stmt.where(OPEN_CASES, Case.due_at >= now, Case.due_at < now + DUE_SOON)
    if filters.get("received_from"):  # city days, both ends included
        stmt = stmt.where(Case.received_at >= city_midnight(filters["received_from"]))
    if filters.get("received_to"):
        stmt = stmt.where(Case.received_at < city_midnight(filters["received_to"] + timedelta(days=1)))
    if filters.get("q"):
        term = filters["q"].strip()
        stmt = stmt.where(sa.or_(Case.number == term, Case.description.contains(term, autoescape=True),
                                 Case.address.contains(term, autoescape=True)))
    return stmt.order_by(Case.due_at.asc().nulls_last(), Case.received_at.desc(), Case.id.desc())
