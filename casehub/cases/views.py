"""The agency inbox and the case page, with the actions the user's role allows."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from casehub.auth.access import roles_required
from casehub.cases.attachments import attachment_path
from casehub.cases.models import Attachment, CaseReporter, CaseStatus
from casehub.cases.privacy import (
    CASE_PAGE, case_texts, event_details, masked_reporter, may_see_personal_data, reveal_reporter,
)
from casehub.cases.queries import case_events, filtered_cases, find_case_for_staff
from casehub.cases.schemas import CaseListQuerySchema
from casehub.cases.services import (
    AGENCY_ROLES, DISPATCH_ROLES, allowed_actions, perform_action, refused_agency_ids, suggest_reassignment,
)
from casehub.directory.models import Agency, Category, District
from casehub.directory.services import agency_options, named_options
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.intake.schemas import ACTION_FIELDS, action_schema
from casehub.labels import label, options
from casehub.masking import mask_address, mask_name, mask_phone
from casehub.models import utcnow
from casehub.pagination import paginate

bp = Blueprint("cases", __name__, url_prefix="/cases")

STAFF_ROLES = DISPATCH_ROLES | AGENCY_ROLES


@bp.route("/")
@roles_required(*STAFF_ROLES)
def inbox():
    args = request.args.to_dict()
    if "status" not in args and not args.get("all"):
        args["open_only"] = "true"
    try:
        query = CaseListQuerySchema().load({key: value for key, value in args.items() if value not in ("", None)
                                            and key != "all"})
    except ValidationError as error:
        flash(_("Some filters were not understood: %(fields)s", fields=", ".join(error.messages)), "error")
        query = CaseListQuerySchema().load({"open_only": "true"})
    now = utcnow()
    page = paginate(filtered_cases(current_user, query, now=now), query["page"], query["per_page"])
    locale = str(get_locale())
    choices = {
        "statuses": options("status", CaseStatus),
        "categories": named_options(Category, Category.active, order_by=(Category.sort_order,), locale=locale),
        "districts": named_options(District, order_by=(District.sort_order,), locale=locale),
        "agencies": agency_options(current_user, locale=locale),
    }
    return render_template("cases/inbox.html", page=page, query=query, now=now, choices=choices,
                           masked=masked_reporter, mask_address=mask_address)


@bp.route("/<number>")
@roles_required(*STAFF_ROLES)
def show(number: str):
    case = find_case_for_staff(number, current_user)
    may_reveal = may_see_personal_data(current_user, case)
    reporter = masked_reporter(case)
    extra_reporters = db.session.scalars(sa.select(CaseReporter).where(CaseReporter.case_id == case.id)).all()
    revealed = request.args.get("reveal") == "1" and may_reveal
    if revealed:
        reporter = reveal_reporter(case, current_user, context=CASE_PAGE)
        db.session.commit()
    attachments = db.session.scalars(sa.select(Attachment).where(Attachment.case_id == case.id)).all()
    actions = allowed_actions(case, current_user)
    suggestion, refused = None, set()
    if "reassign" in actions:
        suggestion, refused = suggest_reassignment(case).agency, refused_agency_ids(case)
    agencies = sorted(db.session.scalars(sa.select(Agency).where(Agency.active, Agency.id != case.agency_id)),
                      key=lambda agency: (agency != suggestion, agency.id in refused, agency.code))
    return render_template(
        "cases/show.html", case=case, events=case_events(case), reporter=reporter, revealed=revealed,
        may_reveal=may_reveal, extra_reporters=extra_reporters, attachments=attachments,
        actions=actions, agencies=agencies, suggestion=suggestion, refused=refused, now=utcnow(),
        texts=case_texts(case, revealed=revealed), event_details=lambda event: event_details(event, revealed=revealed),
        mask={"name": mask_name, "phone": mask_phone},
    )


@bp.route("/<number>/actions/<action>", methods=["POST"])
@roles_required(*STAFF_ROLES)
def act(number: str, action: str):
    if action not in ACTION_FIELDS:
        abort(404)
    case = find_case_for_staff(number, current_user)
    try:
        params = action_schema(action).load(request.form.to_dict())
        version = params.pop("version", None)
        perform_action(case, action, actor=current_user, now=utcnow(), version=version, **params)
    except (ValidationError, DomainError) as error:
        db.session.rollback()
        fields = error.messages if isinstance(error, ValidationError) else (error.fields or {})
        problems = [f"{field}: {' '.join(messages)}" for field, messages in fields.items()]
        if isinstance(error, DomainError):
            problems.insert(0, error.message)
        flash(_("%(action)s was not done: %(problems)s", action=label("action", action),
                problems="; ".join(problems)), "error")
    else:
        db.session.commit()
        flash(_("%(action)s: done.", action=label("action", action)), "success")
    return redirect(url_for("cases.show", number=number))


@bp.route("/<number>/attachments/<int:attachment_id>")
@roles_required(*STAFF_ROLES)
def attachment(number: str, attachment_id: int):
    case = find_case_for_staff(number, current_user)
    stored = db.session.get(Attachment, attachment_id)
    if stored is None or stored.case_id != case.id:
        abort(404)
    return send_file(attachment_path(stored), mimetype=stored.content_type, download_name=stored.filename)
