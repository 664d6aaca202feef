"""Personal data of a case: who may see it in full, the logged reveal, and the log of those views.

Everyone sees a case masked (casehub.masking): the reporter's fields, and the description, reply and timeline
texts. Those who answer the citizen may ask to see it in full; each such view is logged, with who, when, which
case and through which page or API, for the city's accountability under the Personal Data Protection Act.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casehub.auth.access import can_see_agency
from casehub.auth.models import Role, User
from casehub.cases.models import Case, CaseEvent, PersonalDataView
from casehub.extensions import db
from casehub.masking import mask_address, mask_email, mask_name, mask_phone, mask_text
from casehub.models import utcnow, within_city_days

# Operators answer callers about their cases; the agency handling a case answers the citizen.
ROLES_THAT_CONTACT_CITIZENS = frozenset({Role.OPERATOR, Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR})
# Where a full view happened: the context recorded with it.
CASE_PAGE = "case_page"
CASE_API = "api"
VIEW_CONTEXTS = (CASE_PAGE, CASE_API)
# The texts of timeline events that may quote the citizen or carry their details.
EVENT_TEXTS = ("reply", "reason", "message", "text", "note")


def masked_reporter(case: Case) -> dict:
    return {
        "name": mask_name(case.reporter_name), "phone": mask_phone(case.reporter_phone),
        "email": mask_email(case.reporter_email), "anonymous": case.reporter_anonymous,
        "contact_preference": case.contact_preference.value, "masked": True,
    }


def may_see_personal_data(user: User, case: Case) -> bool:
    return user.role in ROLES_THAT_CONTACT_CITIZENS and can_see_agency(user, case.agency_id)


def reveal_reporter(case: Case, user: User, *, context: str, now: datetime | None = None) -> dict:
    """The reporter's details in full; the caller has checked `may_see_personal_data`. Logs the view."""
    db.session.add(PersonalDataView(user_id=user.id, case_id=case.id, at=now or utcnow(), context=context))
    return {
        "name": case.reporter_name, "phone": case.reporter_phone, "email": case.reporter_email,
        "anonymous": case.reporter_anonymous, "contact_preference": case.contact_preference.value,
        "address": case.address, "masked": False,
    }


def case_texts(case: Case, *, revealed: bool) -> dict:
    """The case's free texts and address as the reader may see them: in full only in a logged view."""
    if revealed:
        return {"description": case.description, "reply": case.reply, "address": case.address,
                "extension_reason": case.extension_reason}
    return {"description": mask_text(case.description), "reply": mask_text(case.reply),
            "address": mask_address(case.address), "extension_reason": mask_text(case.extension_reason)}


def event_details(event: CaseEvent, *, revealed: bool) -> dict:
    """An event's details, the texts masked unless in a logged view."""
    if revealed:
        return event.details
    return {key: mask_text(value) if key in EVENT_TEXTS and isinstance(value, str) else value
            for key, value in event.details.items()}


def personal_data_views(*, user_id: int | None = None, case_number: str | None = None,
                        context: str | None = None, from_day: date | None = None,
                        to_day: date | None = None) -> sa.Select:
    """The log of full views, newest first, filtered; the days are the city's calendar days, both included."""
    stmt = (sa.select(PersonalDataView).join(Case, Case.id == PersonalDataView.case_id)
            .options(joinedload(PersonalDataView.user), joinedload(PersonalDataView.case))
            .order_by(PersonalDataView.at.desc(), PersonalDataView.id.desc()))
    if user_id is not None:
        stmt = stmt.where(PersonalDataView.user_id == user_id)
    if case_number:
        stmt = stmt.where(Case.number == case_number)
    if context:
        stmt = stmt.where(PersonalDataView.context == context)
    return stmt.where(*within_city_days(PersonalDataView.at, from_day, to_day))


def viewers() -> list[User]:
    """The staff who appear in the log, for its filter."""
    return list(db.session.scalars(sa.select(User).where(
        User.id.in_(sa.select(PersonalDataView.user_id).distinct())).order_by(User.username)))
