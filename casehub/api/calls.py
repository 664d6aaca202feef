from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields

from casehub.api import bp, load_body
from casehub.auth.access import roles_required
from casehub.cases.services import DISPATCH_ROLES
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.intake.models import Call
from casehub.intake.schemas import LocalDateTime, CallCreateSchema
from casehub.intake.services import log_call
from casehub.masking import mask_phone, mask_text


class CallSchema(Schema):
    """A call as staff read it: the caller's number and anything the summary quotes masked, for everyone."""

    id = fields.Integer()
    caller_phone = fields.Function(lambda call: mask_phone(call.caller_phone), allow_none=True)
    started_at = LocalDateTime()
    ended_at = LocalDateTime(allow_none=True)
    outcome = fields.Function(lambda call: call.outcome.value)
    answered_immediately = fields.Boolean(allow_none=True)
    summary = fields.Function(lambda call: mask_text(call.summary), allow_none=True)
    case_id = fields.Integer(allow_none=True)


@bp.route("/calls", methods=["POST"])
@roles_required(*DISPATCH_ROLES)
def create_call():
    call = log_call(load_body(CallCreateSchema()), operator=current_user)
    db.session.commit()
    return CallSchema().dump(call), 201, {"Location": url_for("api.get_call", call_id=call.id)}


@bp.route("/calls/<int:call_id>")
@roles_required(*DISPATCH_ROLES)
def get_call(call_id: int):
    call = db.session.get(Call, call_id)
    if call is None:
        raise DomainError("not_found", "No such call.", status=404)
    return CallSchema().dump(call)
