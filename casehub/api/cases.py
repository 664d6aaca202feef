from flask import request, url_for
from flask_login import current_user

from casehub.api import bp, load_body
from casehub.auth.access import roles_required
from casehub.cases.privacy import (
    CASE_API, case_texts, event_details, masked_reporter, may_see_personal_data, reveal_reporter,
)
from casehub.cases.queries import case_events, filtered_cases, find_case_for_staff
from casehub.cases.schemas import CaseListQuerySchema, CaseSchema, EventSchema
from casehub.cases.services import ACTIONS, AGENCY_ROLES, DISPATCH_ROLES, allowed_actions, perform_action
from casehub.errors import ApiError, DomainError
from casehub.extensions import db
from casehub.intake.schemas import CaseCreateSchema, action_schema
from casehub.intake.services import intake_case
from casehub.models import utcnow
from casehub.pagination import paginate

STAFF_ROLES = DISPATCH_ROLES | AGENCY_ROLES
ADDED_BY_ENDPOINT = ("reporter", "events", "allowed_actions")


def represent_case(case, *, include_reporter: bool = False) -> dict:
    """The case as the API shows it to the current user; personal data only when asked, allowed and logged."""
    body = CaseSchema(exclude=ADDED_BY_ENDPOINT).dump(case)
    if include_reporter:
        if not may_see_personal_data(current_user, case):
            raise ApiError("forbidden", "Your role may not see the reporter's personal data.", status=403)
        body["reporter"] = reveal_reporter(case, current_user, context=CASE_API)
    else:
        body["reporter"] = masked_reporter(case)
    texts = case_texts(case, revealed=include_reporter)
    body["description"], body["reply"] = texts["description"], texts["reply"]
    events = case_events(case)
    body["events"] = EventSchema(many=True).dump(events)
    for dumped, event in zip(body["events"], events):
        dumped["details"] = event_details(event, revealed=include_reporter)
    body["allowed_actions"] = allowed_actions(case, current_user)
    return body


@bp.route("/cases", methods=["POST"])
@roles_required(*DISPATCH_ROLES)
def create_case():
    data = load_body(CaseCreateSchema())
    now = utcnow()
    # The tracking code goes to the citizen alone, in their own message: no API answer carries it.
    case, _tracking_code = intake_case(data, operator=current_user, now=now)
    # Both before the commit expires what the session already holds.
    body = represent_case(case)
    location = url_for("api.get_case", number=case.number)
    db.session.commit()
    return body, 201, {"Location": location}


@bp.route("/cases/<number>")
@roles_required(*STAFF_ROLES)
def get_case(number: str):
    case = find_case_for_staff(number, current_user)
    body = represent_case(case, include_reporter=request.args.get("include") == "reporter")
    db.session.commit()  # the personal-data view log, when there is one
    return body


@bp.route("/cases")
@roles_required(*STAFF_ROLES)
def list_cases():
    query = CaseListQuerySchema().load(request.args.to_dict())
    page = paginate(filtered_cases(current_user, query, now=utcnow()), query["page"], query["per_page"])
    items = []
    list_schema = CaseSchema(exclude=ADDED_BY_ENDPOINT + ("due_explanation", "routing_reason", "attributes"))
    for case in page.items:
        item = list_schema.dump(case)
        texts = case_texts(case, revealed=False)
        item["description"], item["reply"] = texts["description"], texts["reply"]
        item["reporter"] = masked_reporter(case)
        items.append(item)
    return {"items": items, "page": page.page, "per_page": page.per_page, "total": page.total}


@bp.route("/cases/<number>/actions/<action>", methods=["POST"])
@roles_required(*STAFF_ROLES)
def case_action(number: str, action: str):
    if action not in ACTIONS:
        raise DomainError("unknown_action", f"Unknown action '{action}'. Actions: {', '.join(ACTIONS)}.",
                          status=404)
    case = find_case_for_staff(number, current_user)
    params = load_body(action_schema(action)) if request.content_length else {}
    version = params.pop("version", None)
    perform_action(case, action, actor=current_user, now=utcnow(), version=version, **params)
    body = represent_case(case)
    db.session.commit()
    return body
