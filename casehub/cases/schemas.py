"""How cases look to API clients; also the source of the OpenAPI document."""
from marshmallow import Schema, fields, validate

from casehub.cases.models import CaseStatus, Channel
from casehub.directory.models import CaseKind
from casehub.inputs import plausible_year
from casehub.intake.schemas import LocalDateTime
from casehub.masking import mask_address


class RefSchema(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()


def _ref(obj) -> dict | None:
    return None if obj is None else {"code": obj.code, "name": obj.name_zh, "name_en": obj.name_en}


class ReporterOutSchema(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    anonymous = fields.Boolean()
    contact_preference = fields.String()
    masked = fields.Boolean(metadata={"description": "True unless include=reporter was asked for and allowed."})


class EventSchema(Schema):
    id = fields.Integer()
    at = LocalDateTime()
    type = fields.String()
    actor = fields.Function(lambda event: event.actor.username if event.actor else None)
    from_status = fields.Function(lambda event: event.from_status.value if event.from_status else None)
    to_status = fields.Function(lambda event: event.to_status.value if event.to_status else None)
    details = fields.Dict()


class CaseSchema(Schema):
    number = fields.String()
    kind = fields.Function(lambda case: case.kind.value)
    channel = fields.Function(lambda case: case.channel.value)
    status = fields.Function(lambda case: case.status.value)
    category = fields.Function(lambda case: _ref(case.category))
    agency = fields.Function(lambda case: _ref(case.agency))
    district = fields.Function(lambda case: _ref(case.district))
    description = fields.String(metadata={"description": "Masked; in full with include=reporter."})
    address = fields.Function(lambda case: mask_address(case.address),
                              metadata={"description": "Masked; the full address comes with include=reporter."})
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    attributes = fields.Dict()
    received_at = LocalDateTime()
    assigned_at = LocalDateTime(allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    due_at = LocalDateTime(allow_none=True)
    first_response_due_at = LocalDateTime(allow_none=True)
    due_explanation = fields.Dict(allow_none=True)
    routing_reason = fields.Dict(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    reply = fields.String(allow_none=True, metadata={"description": "Masked; in full with include=reporter."})
    reopened_count = fields.Integer()
    merged_into = fields.Function(lambda case: case.merged_into.number if case.merged_into else None)
    extension_requested_days = fields.Integer(allow_none=True)
    version = fields.Integer()
    # Added by the endpoint, which knows who is asking.
    reporter = fields.Nested(ReporterOutSchema)
    events = fields.List(fields.Nested(EventSchema))
    allowed_actions = fields.List(fields.String())


class CaseListQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]))
    agency = fields.String()
    category = fields.String()
    district = fields.String()
    channel = fields.String(validate=validate.OneOf([c.value for c in Channel]))
    kind = fields.String(validate=validate.OneOf([k.value for k in CaseKind]))
    overdue = fields.Boolean()
    due_soon = fields.Boolean()
    open_only = fields.Boolean()
    q = fields.String(validate=validate.Length(max=100))
    received_from = fields.Date(validate=plausible_year,
                                metadata={"description": "Received on or after this day (Asia/Taipei)."})
    received_to = fields.Date(validate=plausible_year,
                              metadata={"description": "Received on or before this day (Asia/Taipei)."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
