"""GeoReport v2 endpoints: every resource in XML (the spec's default) and JSON, errors as the spec's array.

Clients differ, and all of them are served: api_key in the query string or the form body, an empty
jurisdiction_id on every call (treated as absent), and `service/<code>` for a definition (older clients).
"""
import sqlalchemy as sa
from flask import Blueprint, current_app, g, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from casehub.auth.models import hash_secret
from casehub.cases.attachments import check_upload
from casehub.directory.models import Category
from casehub.errors import DomainError
from casehub.extensions import csrf, db
from casehub.intake.schemas import CaseCreateSchema
from casehub.intake.services import district_from_address
from casehub.models import utcnow
from casehub.open311.documents import (
    created_document, definition_document, discovery_document, request_document, service_document, token_document,
)
from casehub.open311.formats import FORMATS, render, render_errors
from casehub.open311.schemas import ServiceRequestCreateSchema, ServiceRequestQuerySchema, attribute_values
from casehub.open311.services import (
    Open311Error, authenticate_app, channel_for, check_attributes, file_service_request, find_service,
    find_service_request, find_service_requests, find_token, media_urls, public_services,
)
from casehub.ratelimit import RateLimited, check_rate_limit, client_address

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
# Apps post forms without a session, so there is no CSRF token to check; POST needs an api_key instead.
csrf.exempt(bp)

# Where intake's field names differ from the spec's parameters, name the parameter the client sent.
PARAMETER_NAMES = {"lng": "long", "address": "address_string", "reporter.phone": "phone",
                   "reporter.email": "email", "reporter.name": "last_name"}


@bp.url_value_preprocessor
def pull_format(endpoint, values):
    g.open311_format = "xml"
    fmt = (values or {}).pop("fmt", "xml")
    if fmt not in FORMATS:
        raise Open311Error(404, f"Format '{fmt}' is not offered: use xml or json.")
    g.open311_format = fmt


@bp.before_request
def check_jurisdiction():
    given = request.values.get("jurisdiction_id", "").strip()
    if given and given != current_app.config["OPEN311_JURISDICTION_ID"]:
        raise Open311Error(404, f"jurisdiction_id '{given}' was not found.")


@bp.before_request
def limit_reads():
    """Reads need no key, so each is counted per client address and, when it names one, per api_key too."""
    if request.method not in ("GET", "HEAD"):
        return
    now = utcnow()
    check_rate_limit("open311_get", f"address:{client_address()}", now=now)
    plain_key = request.args.get("api_key", "").strip()
    if plain_key:
        # The key's hash, as stored for keys: the plain key never reaches Redis, and an unknown key is no cheaper.
        check_rate_limit("open311_get", f"key:{hash_secret(plain_key)}", now=now)


def _errors(status: int, descriptions, headers: dict | None = None):
    db.session.rollback()
    return render_errors(g.get("open311_format", "xml"), status, descriptions, headers)


def _described(messages, path: str = ""):
    """'field: message' for each of marshmallow's (nested) messages, fields named as the client sent them."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            name = ".".join(part for part in (path, str(key)) if part and key != "_schema")
            yield from _described(inner, name)
    else:
        for message in messages:
            yield f"{PARAMETER_NAMES.get(path, path)}: {message}" if path else message


@bp.errorhandler(Open311Error)
def handle_open311_error(error: Open311Error):
    return _errors(error.status, error.descriptions)


@bp.errorhandler(ValidationError)
def handle_invalid_parameters(error: ValidationError):
    return _errors(400, list(_described(error.messages)))


@bp.errorhandler(RateLimited)
def handle_rate_limited(error: RateLimited):
    return _errors(429, [f"Too many requests; try again in {error.retry_after} seconds."],
                   {"Retry-After": str(error.retry_after)})


@bp.errorhandler(DomainError)
def handle_refusal(error: DomainError):
    # The spec's "general service error": what intake refused, with the fields it names.
    return _errors(400, list(_described(error.fields)) if error.fields else [error.message])


@bp.errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    return _errors(error.code or 400, [error.description or error.name])


@bp.route("/")
def root():
    return redirect(url_for("open311.discovery", fmt="xml"))


@bp.route("/discovery.<fmt>")
def discovery():
    changeset = db.session.scalar(sa.select(sa.func.max(Category.created_at)))
    return render(g.open311_format, "discovery", discovery_document(changeset))


@bp.route("/services.<fmt>")
def services():
    return render(g.open311_format, "services", [service_document(category) for category in public_services()])


@bp.route("/services/<service_code>.<fmt>")
@bp.route("/service/<service_code>.<fmt>", endpoint="service_definition_alias")
def service_definition(service_code: str):
    return render(g.open311_format, "service_definition", definition_document(find_service(service_code)))


@bp.route("/requests.<fmt>", methods=["POST"])
def create_request():
    now = utcnow()
    api_key = authenticate_app(request.values.get("api_key", "").strip(), now=now)
    check_rate_limit("open311_post", str(api_key.id), now=now)
    form = ServiceRequestCreateSchema().load(request.form.to_dict())
    category = find_service(form["service_code"])
    attributes = check_attributes(category, attribute_values(request.form))
    uploads = [check_upload(media.filename, media.read()) for media in request.files.getlist("media")
               if media.filename]
    case_data = CaseCreateSchema().load(_case_data(form, category, attributes, channel_for(api_key)))
    case, submission, tracking_code = file_service_request(
        case_data, category=category, api_key=api_key, account_id=form.get("account_id"),
        device_id=form.get("device_id"), media_url=form.get("media_url"), uploads=uploads, now=now)
    db.session.commit()
    return render(g.open311_format, "service_requests", [created_document(submission, tracking_code)])


def _reporter_name(form: dict) -> str | None:
    first, last = form.get("first_name", "").strip(), form.get("last_name", "").strip()
    # Chinese names are written family name first, without a space: 陳 + 小明 = 陳小明.
    if any("\u4e00" <= char <= "\u9fff" for char in first + last):
        return (last + first) or None
    return " ".join(part for part in (first, last) if part) or None


def _case_data(form: dict, category: Category, attributes: dict, channel) -> dict:
    """The spec's parameters as intake's CaseCreateSchema input."""
    name, email, phone = _reporter_name(form), form.get("email"), form.get("phone")
    district = district_from_address(form.get("address_string"))
    return {
        "channel": channel.value, "category": category.code,
        "description": form.get("description") or category.name_zh,
        "address": form.get("address_string"), "district": district.code if district else None,
        "lat": form.get("lat"), "lng": form.get("long"), "attributes": attributes,
        "reporter": {"name": name, "email": email, "phone": phone, "anonymous": not (name or email or phone),
                     "contact_preference": "email" if email else "phone" if phone else "none"},
    }


@bp.route("/requests.<fmt>", methods=["GET"])
def list_requests():
    args = {key: ",".join(request.args.getlist(key)) for key in request.args}
    cases = find_service_requests(ServiceRequestQuerySchema().load(args), now=utcnow())
    media = media_urls(cases)
    return render(g.open311_format, "service_requests", [request_document(case, media.get(case.id)) for case in cases])


@bp.route("/requests/<service_request_id>.<fmt>")
def show_request(service_request_id: str):
    case = find_service_request(service_request_id)
    return render(g.open311_format, "service_requests", [request_document(case, media_urls([case]).get(case.id))])


@bp.route("/tokens/<token>.<fmt>")
def show_token(token: str):
    return render(g.open311_format, "service_requests", [token_document(find_token(token))])
