"""The GeoReport v2 response documents, as plain data for casehub.open311.formats to render.

Public reads never carry the reporter's name, e-mail or phone; the description loses them and anything else
personal (casehub.masking). A dispatch request's address is its public location, road and section; a petition's
is only its district, and a petition gives no coordinates: it is about a person, not a place.
"""
from datetime import datetime

from flask import current_app, url_for
from flask_babel import get_locale, gettext as _

from casehub.cases.models import Case
from casehub.directory.models import CaseKind, Category, Open311Type
from casehub.directory.schemas import LIST_DATATYPES
from casehub.labels import label
from casehub.masking import MASK, mask_address, mask_text
from casehub.models import city_zone
from casehub.open311.models import Open311Request
from casehub.sla.models import SlaClock, SlaPolicy

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MEDIA_TYPES = ["text/xml", "application/json"]


def _locale() -> str:
    return str(get_locale())


def w3c(moment: datetime | None) -> str | None:
    """W3C date-time in the city's offset, e.g. 2026-11-26T09:30:00+08:00."""
    if moment is None:
        return None
    return moment.astimezone(city_zone()).isoformat(timespec="seconds")


def discovery_document(changeset: datetime | None) -> dict:
    changed = w3c(changeset) or ""
    endpoint_type = "production" if current_app.config["ENV_NAME"] == "production" else "test"
    return {
        "changeset": changed,
        "contact": current_app.config["OPEN311_CONTACT"],
        "key_service": _("API keys for apps are issued by the city's CaseHub administrators."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url_for("open311.root", _external=True).rstrip("/"),
            "changeset": changed,
            "type": endpoint_type,
            "formats": MEDIA_TYPES,
        }],
    }


def service_document(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name(_locale()),
        "description": category.description or "",
        "metadata": bool(category.open311_attributes),
        "type": category.open311_type.value,
        "keywords": ", ".join(category.keywords or []),
        "group": category.group or "",
    }


def _attribute_document(definition: dict) -> dict:
    document = {
        "variable": definition.get("variable", True),
        "code": definition["code"],
        "datatype": definition["datatype"],
        "required": bool(definition.get("required")),
        "datatype_description": definition.get("datatype_description") or None,
        "order": definition["order"],
        "description": definition.get("description", ""),
    }
    if definition["datatype"] in LIST_DATATYPES:
        document["values"] = [{"key": value["key"], "name": value["name"]} for value in definition["values"]]
    return document


def definition_document(category: Category) -> dict:
    attributes = sorted(category.open311_attributes, key=lambda definition: definition["order"])
    return {"service_code": category.code, "attributes": [_attribute_document(item) for item in attributes]}


def service_notice(policy: SlaPolicy | None) -> str | None:
    """What the city promises for this kind of request, from its SLA policy."""
    if policy is None:
        return None
    if policy.clock is SlaClock.HOURS:
        return _("Handled within %(hours)s hours.", hours=policy.resolution_target)
    return _("Answered within %(days)s working days.", days=policy.resolution_target)


def redact(text: str | None, case: Case) -> str | None:
    """The text without the reporter's name, phone or e-mail, nor any phone, ID, e-mail or house number."""
    if not text:
        return text
    for personal in (case.reporter_name, case.reporter_phone, case.reporter_email):
        if personal and len(personal) >= 2:
            text = text.replace(personal, MASK)
    return mask_text(text)


def public_address(case: Case, locale: str) -> str | None:
    """A dispatch request's road and section; a petition's district only."""
    if case.kind is CaseKind.PETITION:
        return case.district.name(locale) if case.district else None
    return mask_address(case.address)


def _updated_at(case: Case) -> datetime:
    if case.status.is_open:
        return case.updated_at
    # The spec: for closed requests, when they were closed; for us a resolved case is closed to the citizen.
    return case.closed_at or case.resolved_at or case.updated_at


def request_document(case: Case, media_url: str | None = None) -> dict:
    """One service request as the public may see it; fields without a value are left out where the spec allows."""
    locale = _locale()
    document = {
        "service_request_id": case.number,
        "status": "open" if case.status.is_open else "closed",
        "status_notes": label("status", case.status),
        "service_name": case.category.name(locale),
        "service_code": case.category.code,
        "description": redact(case.description, case),
        "agency_responsible": case.agency.name(locale) if case.agency else None,
        "service_notice": service_notice(case.category.sla_policy),
        "requested_datetime": w3c(case.received_at),
        "updated_datetime": w3c(_updated_at(case)),
        "expected_datetime": w3c(case.due_at) if case.status.is_open else None,
        "address": public_address(case, locale),
        "lat": float(case.lat) if case.lat is not None and case.kind is CaseKind.DISPATCH else None,
        "long": float(case.lng) if case.lng is not None and case.kind is CaseKind.DISPATCH else None,
        "media_url": media_url,
    }
    optional = ("expected_datetime", "lat", "long", "media_url")
    return {key: value for key, value in document.items() if value is not None or key not in optional}


def created_document(submission: Open311Request, tracking_code: str) -> dict:
    """The answer to POST requests: the id (realtime), a token (batch) or neither (blackbox).

    For realtime services the notice also tells the citizen their case number and private code, with which they
    follow, rate and reopen the case on the city's web pages; the code is in this one answer only, never in a read.
    """
    case = submission.case
    service_type = case.category.open311_type
    notices = [service_notice(case.category.sla_policy)]
    document = {}
    if service_type is Open311Type.REALTIME:
        document["service_request_id"] = case.number
        notices.append(_("Case number %(number)s, private code %(code)s: keep them to follow the case.",
                         number=case.number, code=tracking_code))
    elif service_type is Open311Type.BATCH:
        document["token"] = submission.token
    document["service_notice"] = " ".join(filter(None, notices))
    document["account_id"] = submission.account_id
    return document


def token_document(submission: Open311Request) -> dict:
    return {"service_request_id": submission.case.number, "token": submission.token}

