"""Personal data: masked everywhere by default, shown in full only to those who need it, and logged."""
import re
from datetime import datetime

from casehub.auth.access import can_see_agency
from casehub.auth.models import Role, User
from casehub.cases.models import Case, PersonalDataView
from casehub.extensions import db
from casehub.models import utcnow

# Operators answer callers about their cases; the agency handling a case answers the citizen.
ROLES_THAT_CONTACT_CITIZENS = frozenset({Role.OPERATOR, Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR})


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    return phone[:4] + "*" * max(len(phone) - 7, 3) + phone[-3:]


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, _at, domain = email.partition("@")
    return f"{local[0]}***@{domain}"


def mask_address(address: str | None) -> str | None:
    """Keep the street, hide house numbers, lanes and floors."""
    if not address:
        return address
    match = re.search(r"\d", address)
    return address if match is None else address[: match.start()] + "***"


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
