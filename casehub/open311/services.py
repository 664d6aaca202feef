"""Open311 GeoReport v2 on top of the case lifecycle: services are public categories, requests are cases."""
import math
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from casehub.auth.models import ApiKey
from casehub.auth.services import api_key_for
from casehub.cases.attachments import Upload
from casehub.cases.models import OPEN_CASES, Case, Channel
from casehub.directory.models import Category, Open311Type
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.intake.services import intake_case
from casehub.models import city_zone
from casehub.open311.models import Open311Request
from casehub.open311.schemas import MAX_WINDOW

MAX_REQUESTS = 1000  # the spec's default query limit


class Open311Error(DomainError):
    """A refusal with one description per problem, rendered as the spec's error array."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("open311_error", " ".join(descriptions), status=status)
        self.descriptions = descriptions


def authenticate_app(plain_key: str | None, *, now: datetime) -> ApiKey:
    """The app whose api_key this is; 403 when it is missing, unknown or revoked."""
    if not plain_key:
        raise Open311Error(403, "api_key was not provided -- can't proceed with create_request.")
    api_key = api_key_for(plain_key, now=now)
    if api_key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    return api_key


def channel_for(api_key: ApiKey) -> Channel:
    """The city's own app counts in the "app" channel (its key is named so); every other app in "open311"."""
    return Channel.APP if api_key.name.startswith(current_app.config["OPEN311_CITY_APP_KEY_PREFIX"]) \
        else Channel.OPEN311


def _public_categories() -> sa.Select:
    return sa.select(Category).where(Category.is_public, Category.active)


def public_services() -> list[Category]:
    """The services an app may offer: active public categories, in the catalogue's order."""
    return list(db.session.scalars(_public_categories().order_by(Category.sort_order, Category.code)))


def find_service(service_code: str) -> Category:
    """The public service with this code; 404 for an unknown, hidden or retired one."""
    category = db.session.scalar(_public_categories().where(Category.code == service_code))
    if category is None:
        raise Open311Error(404, f"service_code '{service_code}' was not found.")
    return category


def _check_attribute(definition: dict, values: list[str]) -> tuple[object, str | None]:
    """One answer, converted to what is stored, or the reason it is refused."""
    code, datatype = definition["code"], definition["datatype"]
    name = f"attribute[{code}]"
    if datatype == "multivaluelist":
        keys = {str(value["key"]) for value in definition.get("values", [])}
        unknown = [value for value in values if value not in keys]
        return values, (f"{name}: {', '.join(unknown)} is not one of the listed values." if unknown else None)
    if len(values) > 1:
        return None, f"{name} takes one value."
    value = values[0]
    if datatype == "singlevaluelist":
        keys = {str(item["key"]) for item in definition.get("values", [])}
        return value, (None if value in keys else f"{name}: {value} is not one of the listed values.")
    if datatype == "string" and ("\n" in value or "\r" in value):
        return None, f"{name} must be a single line (use a text attribute for several lines)."
    if datatype == "number":
        try:
            number = float(value)
        except ValueError:
            return None, f"{name} must be a number."
        if not math.isfinite(number):
            return None, f"{name} must be a number."
        return (int(number) if number.is_integer() else number), None
    if datatype == "datetime":
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None, f"{name} must be an ISO 8601 date-time, e.g. 2026-01-01T08:00:00+08:00."
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=city_zone())
        return moment.isoformat(), None
    return value, None


def check_attributes(category: Category, given: dict[str, list[str]]) -> dict:
    """Validate attribute[code] answers against the service definition; refuse naming every problem at once."""
    questions = {definition["code"]: definition for definition in category.open311_attributes
                 if definition.get("variable", True)}
    problems = [f"attribute[{code}] is not a question of service '{category.code}'."
                for code in given if code not in questions]
    answers = {}
    for code, definition in questions.items():
        values = given.get(code, [])
        if not values:
            if definition.get("required"):
                problems.append(f"attribute[{code}] is required: {definition.get('description', '')}".strip())
            continue
        answer, problem = _check_attribute(definition, values)
        if problem:
            problems.append(problem)
        else:
            answers[code] = answer
    if problems:
        raise Open311Error(400, *problems)
    return answers


def file_service_request(case_data: dict, *, category: Category, api_key: ApiKey, account_id: str | None,
                         device_id: str | None, media_url: str | None, uploads: list[Upload],
                         now: datetime) -> tuple[Case, Open311Request, str]:
    """Open the case (routed and timed like any other) and record which app filed it.

    Returns the case, the Open311 record (with a token for batch services) and the citizen's private code.
    """
    case, tracking_code = intake_case(case_data, operator=None, now=now, uploads=uploads)
    submission = Open311Request(
        case=case, api_key=api_key, account_id=account_id, device_id=device_id, media_url=media_url,
        token=secrets.token_urlsafe(16) if category.open311_type is Open311Type.BATCH else None, created_at=now,
    )
    db.session.add(submission)
    db.session.flush()
    return case, submission, tracking_code


def _requests_query() -> sa.Select:
    """Cases of public services only: nothing else is anybody's business outside the city."""
    return (sa.select(Case).join(Category, Category.id == Case.category_id).where(Category.is_public)
            .options(selectinload(Case.category).selectinload(Category.sla_policy), selectinload(Case.agency)))


def find_service_requests(query: dict, *, now: datetime) -> list[Case]:
    """GET requests: by id list (which overrides the rest), else by service, status and a window of at most 90 days.

    Without dates the window is the last 90 days; with one date it extends 90 days from it. Newest first.
    """
    stmt = _requests_query()
    if query.get("service_request_id"):
        stmt = stmt.where(Case.number.in_(query["service_request_id"][:MAX_REQUESTS]))
    else:
        start, end = query.get("start_date"), query.get("end_date")
        if start is None:
            end = end or now
            start = end - MAX_WINDOW
        end = end or start + MAX_WINDOW
        stmt = stmt.where(Case.received_at >= start, Case.received_at <= end)
        if query.get("service_code"):
            stmt = stmt.where(Category.code.in_(query["service_code"]))
        statuses = set(query.get("status") or ())
        if statuses == {"open"}:
            stmt = stmt.where(OPEN_CASES)
        elif statuses == {"closed"}:
            stmt = stmt.where(~OPEN_CASES)
    return list(db.session.scalars(stmt.order_by(Case.received_at.desc(), Case.id.desc()).limit(MAX_REQUESTS)))


def find_service_request(service_request_id: str) -> Case:
    """The case with this number, if it is of a public service; 404 otherwise."""
    case = db.session.scalar(_requests_query().where(Case.number == service_request_id))
    if case is None:
        raise Open311Error(404, f"service_request_id '{service_request_id}' was not found.")
    return case


def media_urls(cases: list[Case]) -> dict[int, str]:
    """The media_url each app sent with its request, by case id."""
    if not cases:
        return {}
    rows = db.session.execute(sa.select(Open311Request.case_id, Open311Request.media_url).where(
        Open311Request.case_id.in_([case.id for case in cases]), Open311Request.media_url.is_not(None)))
    return dict(rows.all())


def find_token(token: str) -> Open311Request:
    """The request a batch service's token stands for; 404 for an unknown token."""
    submission = db.session.scalar(sa.select(Open311Request).where(Open311Request.token == token)
                                   .options(selectinload(Open311Request.case)))
    if submission is None:
        raise Open311Error(404, f"token '{token}' was not found.")
    return submission
