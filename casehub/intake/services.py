"""Intake: logging calls, opening cases from any channel, and finding duplicates before saving."""
import math
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from casehub.auth.models import User
from casehub.cases.attachments import Upload, store_attachment
from casehub.cases.models import OPEN_CASES, Case, Channel
from casehub.cases.services import add_reporter, open_case
from casehub.directory.models import Category, District
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.intake.models import Call, CallOutcome
from casehub.notify.services import notify_case_received

METRES_PER_DEGREE = 111_320


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("validation_failed", "Some fields are invalid.", status=422, fields={field: [message]})


def log_call(data: dict, *, operator: User, case: Case | None = None) -> Call:
    """Record one call of the 1999 centre; a call that produced a case links to it."""
    call = Call(operator_id=operator.id, caller_phone=data.get("caller_phone"), started_at=data["started_at"],
                ended_at=data.get("ended_at"), outcome=CallOutcome(data["outcome"]),
                answered_immediately=data.get("answered_immediately"), summary=data.get("summary"),
                case_id=case.id if case else None)
    db.session.add(call)
    db.session.flush()
    return call


def resolve_references(data: dict) -> tuple[Category, District | None]:
    """Turn category and district codes into rows, naming the field that is wrong."""
    category = db.session.scalar(sa.select(Category).where(Category.code == data["category"]))
    if category is None or not category.active:
        raise _invalid("category", N_("Unknown category."))
    if data.get("kind") and data["kind"] != category.kind.value:
        raise _invalid("kind", f"Category {category.code} is a {category.kind.value} category.")
    district = None
    if data.get("district"):
        district = db.session.scalar(sa.select(District).where(District.code == data["district"]))
        if district is None:
            raise _invalid("district", N_("Unknown district."))
    return category, district


def intake_case(data: dict, *, operator: User | None, now: datetime, uploads: list[Upload] = (),
                call: Call | None = None) -> tuple[Case, str]:
    """Open a case from validated intake data (CaseCreateSchema), link its call and store its files."""
    category, district = resolve_references(data)
    if call is None and data.get("call_id"):
        call = db.session.get(Call, data["call_id"])
        if call is None:
            raise _invalid("call_id", N_("Unknown call."))
    if call is not None and call.case_id is not None:
        raise _invalid("call_id", N_("This call is already linked to a case."))
    case, tracking_code = open_case(
        category=category, channel=Channel(data["channel"]), description=data["description"],
        received_at=data.get("received_at"), district=district, address=data.get("address"),
        lat=data.get("lat"), lng=data.get("lng"), reporter=data.get("reporter"),
        attributes=data.get("attributes"), created_by=operator, now=now,
    )
    notify_case_received(case, tracking_code, now=now)
    if call is not None:
        call.case_id = case.id
        call.outcome = CallOutcome.CASE
    for upload in uploads:
        store_attachment(case, upload, uploaded_by=operator, now=now)
    db.session.flush()
    return case, tracking_code


def report_duplicate(case: Case, reporter: dict, *, operator: User | None, call: Call | None,
                     now: datetime) -> None:
    """The caller reports a problem already open: add them to that case instead of opening a new one."""
    add_reporter(case, reporter, actor=operator, call_id=call.id if call else None, now=now)
    if call is not None:
        call.case_id = case.id
        call.outcome = CallOutcome.CASE


def caller_history(phone: str, *, limit: int = 10) -> list[Case]:
    """The caller's earlier cases, newest first."""
    stmt = (sa.select(Case).where(Case.reporter_phone == phone)
            .order_by(Case.received_at.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def duplicate_candidates(*, category: Category, now: datetime, address: str | None = None,
                         lat: Decimal | None = None, lng: Decimal | None = None,
                         district: District | None = None, limit: int = 10) -> list[Case]:
    """Open cases of the same category received recently at the same address or nearby."""
    window_start = now - timedelta(days=current_app.config["DUPLICATE_WINDOW_DAYS"])
    stmt = sa.select(Case).where(Case.category_id == category.id, Case.received_at >= window_start,
                                 OPEN_CASES)
    places = []
    if address:
        places.append(Case.address == address.strip())
    if lat is not None and lng is not None:
        radius = current_app.config["DUPLICATE_RADIUS_METRES"]
        dlat = Decimal(radius / METRES_PER_DEGREE)
        dlng = Decimal(radius / (METRES_PER_DEGREE * max(math.cos(math.radians(float(lat))), 0.01)))
        places.append(sa.and_(Case.lat.between(lat - dlat, lat + dlat), Case.lng.between(lng - dlng, lng + dlng)))
    if not places:
        if district is None:
            return []
        places.append(Case.district_id == district.id)
    stmt = stmt.where(sa.or_(*places)).order_by(Case.received_at.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def district_from_address(address: str | None) -> District | None:
    """The district named in an address such as '高雄市三民區九如一路100號'."""
    if not address:
        return None
    for district in db.session.scalars(sa.select(District)):
        if district.name_zh in address:
            return district
    return None
