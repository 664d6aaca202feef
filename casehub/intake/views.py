"""The operator console: log a call and, when it is one, open the case (or add to an existing one)."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from casehub.auth.access import roles_required
from casehub.cases.attachments import check_upload
from casehub.cases.models import Channel, ContactPreference
from casehub.cases.queries import find_case_for_staff
from casehub.cases.services import DISPATCH_ROLES
from casehub.directory.models import Category, District
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.intake.schemas import CallCreateSchema, CaseCreateSchema, ReporterSchema
from casehub.intake.services import (
    caller_history, district_from_address, duplicate_candidates, intake_case, log_call, report_duplicate,
)
from casehub.labels import label
from casehub.masking import mask_address, mask_name
from casehub.models import utcnow
from casehub.phones import NotAPhoneNumber, normalize_phone

bp = Blueprint("intake", __name__, url_prefix="/intake")


def _console_context(form: dict, errors: dict) -> dict:
    categories = db.session.scalars(sa.select(Category).where(Category.active)
                                    .order_by(Category.sort_order, Category.code)).all()
    districts = db.session.scalars(sa.select(District).order_by(District.sort_order)).all()
    return {
        "form": form, "errors": errors, "channels": list(Channel), "preferences": list(ContactPreference),
        "districts": districts,
        "categories": [{"code": c.code, "name": c.name_zh, "name_en": c.name_en, "kind": c.kind.value,
                        "keywords": c.keywords, "group": c.group} for c in categories],
        "district_names": {d.name_zh: d.code for d in districts},
    }


def _call_data(form: dict, outcome: str) -> dict:
    return {"caller_phone": form.get("caller_phone"), "started_at": form.get("started_at") or utcnow().isoformat(),
            "ended_at": utcnow().isoformat(), "outcome": outcome,
            "answered_immediately": form.get("answered_immediately") if outcome == "consultation" else None,
            "summary": form.get("summary")}


def _case_data(form: dict) -> dict:
    data = {key: form.get(key) for key in ("channel", "category", "description", "address", "district",
                                           "lat", "lng", "received_at")}
    data["reporter"] = {"name": form.get("reporter_name"), "phone": form.get("caller_phone"),
                        "email": form.get("reporter_email"), "anonymous": form.get("anonymous") == "on",
                        "contact_preference": form.get("contact_preference")}
    return data


def _flatten(messages: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# Form field names differ from API names only for the reporter, who is the caller.
FORM_FIELD = {"reporter.phone": "caller_phone", "reporter.name": "reporter_name", "reporter.email": "reporter_email",
              "reporter.contact_preference": "contact_preference", "reporter.anonymous": "anonymous"}


def _form_errors(messages: dict) -> dict:
    return {FORM_FIELD.get(key, key): [_(message) for message in value] for key, value in _flatten(messages).items()}


@bp.route("/console", methods=["GET", "POST"])
@roles_required(*DISPATCH_ROLES)
def console():
    if request.method == "GET":
        return render_template("intake/console.html", **_console_context({"channel": "phone"}, {}))
    form = request.form.to_dict()
    outcome = form.get("outcome", "")
    try:
        result = _save_console(form, outcome)
    except ValidationError as error:
        db.session.rollback()
        return render_template("intake/console.html", **_console_context(form, _form_errors(error.messages))), 422
    except DomainError as error:
        db.session.rollback()
        errors = _form_errors(error.fields or {}) or {"_form": [error.message]}
        return render_template("intake/console.html", **_console_context(form, errors)), error.status
    db.session.commit()
    flash(result, "success")
    return redirect(url_for("intake.console"))


def _save_console(form: dict, outcome: str) -> str:
    """Log the call and open (or add to) the case in one transaction; returns the message to show."""
    now = utcnow()
    call_data = CallCreateSchema().load(_call_data(form, outcome))
    if outcome != "case":
        log_call(call_data, operator=current_user)
        return _("Call logged.")
    if form.get("duplicate_of"):
        case = find_case_for_staff(form["duplicate_of"], current_user)
        reporter = ReporterSchema().load(_case_data(form)["reporter"])
        call = log_call(call_data, operator=current_user)
        report_duplicate(case, reporter, operator=current_user, call=call, now=now)
        return _("Call added to case %(number)s as a further report.", number=case.number)
    data = _case_data(form)
    if not data.get("district") and data.get("address"):
        district = district_from_address(data["address"])
        data["district"] = district.code if district else None
    case_data = CaseCreateSchema().load(data)
    uploads = [check_upload(upload.filename, upload.read()) for upload in request.files.getlist("attachments")
               if upload.filename]
    call = log_call(call_data, operator=current_user)
    # The tracking code goes to the citizen alone, in their own message: staff never see it.
    case, _tracking_code = intake_case(case_data, operator=current_user, now=now, uploads=uploads, call=call)
    return _("Case %(number)s opened for %(agency)s.", number=case.number, agency=case.agency.name_zh)


@bp.route("/lookup")
@roles_required(*DISPATCH_ROLES)
def lookup():
    """The caller's earlier cases and likely duplicates, for the console's side panel (masked)."""
    now = utcnow()
    history, duplicates = [], []
    try:
        phone = normalize_phone(request.args.get("phone", "")) if request.args.get("phone") else None
    except NotAPhoneNumber:
        phone = None
    if phone:
        history = caller_history(phone)
    category = db.session.scalar(sa.select(Category).where(Category.code == request.args.get("category", "")))
    if category is not None:
        address = request.args.get("address") or None
        district = db.session.scalar(sa.select(District).where(District.code == request.args.get("district", "")))
        duplicates = duplicate_candidates(category=category, now=now, address=address,
                                          district=district or district_from_address(address))

    def brief(case):
        return {"number": case.number, "status": label("status", case.status), "category": case.category.name_zh,
                "received_at": case.received_at.isoformat(), "address": mask_address(case.address),
                "reporter": mask_name(case.reporter_name), "agency": case.agency.name_zh if case.agency else None}

    return {"history": [brief(case) for case in history], "duplicates": [brief(case) for case in duplicates]}
