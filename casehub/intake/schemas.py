"""Validation of what operators and API clients send: every bad field is named."""
from collections.abc import Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from casehub.cases.models import Channel, ContactPreference
from casehub.directory.models import CaseKind
from casehub.errors import N_
from casehub.inputs import ID_MAX, plausible_year
from casehub.intake.models import CallOutcome
from casehub.models import city_zone
from casehub.phones import NotAPhoneNumber, normalize_phone


# marshmallow's own messages, as forms show them; listed so the catalog carries their translations.
LIBRARY_MESSAGES = (
    N_("Missing data for required field."), N_("Not a valid email address."), N_("Field may not be null."),
    N_("Not a valid number."), N_("Not a valid datetime."), N_("Not a valid integer."),
    N_("Shorter than minimum length 1."), N_("Not a valid boolean."),
)
NOT_A_PHONE_NUMBER = N_("Not a valid phone number (e.g. 0912345678, 07-3368333 or +1 312 555 0199).")


class Phone(fields.String):
    """A phone number in its stored form (casehub.phones); anything that is not one is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalize_phone(super()._deserialize(value, attr, data, **kwargs))
        except NotAPhoneNumber:
            raise ValidationError(NOT_A_PHONE_NUMBER) from None


class LocalDateTime(fields.AwareDateTime):
    """ISO 8601 in the city's time zone (+08:00) both ways; a time without an offset is read in it."""

    def _deserialize(self, value, attr, data, **kwargs):
        self.default_timezone = city_zone()
        moment = super()._deserialize(value, attr, data, **kwargs)
        plausible_year(moment)
        return moment

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return super()._serialize(value.astimezone(city_zone()), attr, obj, **kwargs)


def _blank_to_none(data, names: tuple[str, ...]):
    """HTML forms send empty strings for empty fields; treat them as absent. What is not an object is left for
    marshmallow to refuse by name ("Invalid input type")."""
    if not isinstance(data, Mapping):
        return data
    return {key: value for key, value in data.items() if not (key in names and value in ("", None))}


class ReporterSchema(Schema):
    name = fields.String(validate=validate.Length(max=100), load_default=None)
    phone = Phone(load_default=None)
    email = fields.Email(validate=validate.Length(max=254), load_default=None)
    anonymous = fields.Boolean(load_default=False)
    contact_preference = fields.String(validate=validate.OneOf([p.value for p in ContactPreference]),
                                       load_default=ContactPreference.NONE.value)

    @pre_load
    def drop_blanks(self, data, **kwargs):
        return _blank_to_none(data, ("name", "phone", "email", "contact_preference"))

    @validates_schema
    def check_contact(self, data, **kwargs):
        if data.get("anonymous"):
            return
        preference = data.get("contact_preference")
        if preference == "email" and not data.get("email"):
            raise ValidationError(N_("Required to answer by e-mail."), "email")
        if preference in ("phone", "sms") and not data.get("phone"):
            raise ValidationError(N_("Required to answer by phone or SMS."), "phone")

    @post_load
    def forget_anonymous(self, data, **kwargs):
        # An anonymous reporter leaves no personal data behind, whatever the form carried.
        if data["anonymous"]:
            return {"anonymous": True, "contact_preference": ContactPreference.NONE.value,
                    "name": None, "phone": None, "email": None}
        return data


class CaseCreateSchema(Schema):
    kind = fields.String(validate=validate.OneOf([k.value for k in CaseKind]), load_default=None)
    channel = fields.String(required=True, validate=validate.OneOf([c.value for c in Channel]))
    category = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    address = fields.String(validate=validate.Length(max=300), load_default=None)
    district = fields.String(validate=validate.Length(max=32), load_default=None)
    lat = fields.Decimal(validate=validate.Range(-90, 90), load_default=None, places=6)
    lng = fields.Decimal(validate=validate.Range(-180, 180), load_default=None, places=6)
    reporter = fields.Nested(ReporterSchema, load_default=lambda: ReporterSchema().load({}))
    received_at = LocalDateTime(load_default=None)
    call_id = fields.Integer(load_default=None, strict=True, validate=validate.Range(1, ID_MAX))
    attributes = fields.Dict(keys=fields.String(), load_default=dict)

    @pre_load
    def drop_blanks(self, data, **kwargs):
        return _blank_to_none(data, ("kind", "address", "district", "lat", "lng", "received_at", "call_id"))

    @validates_schema
    def check_location(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise ValidationError(N_("Give both lat and lng, or neither."), "lat")


class CallCreateSchema(Schema):
    caller_phone = Phone(load_default=None)
    started_at = LocalDateTime(required=True)
    ended_at = LocalDateTime(load_default=None)
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in CallOutcome]))
    answered_immediately = fields.Boolean(load_default=None)
    summary = fields.String(validate=validate.Length(max=2000), load_default=None)

    @pre_load
    def drop_blanks(self, data, **kwargs):
        return _blank_to_none(data, ("caller_phone", "ended_at", "answered_immediately", "summary"))

    @validates_schema
    def check_times(self, data, **kwargs):
        if data.get("ended_at") and data["ended_at"] < data["started_at"]:
            raise ValidationError(N_("Must not be before started_at."), "ended_at")
        if data.get("answered_immediately") is not None and data["outcome"] != CallOutcome.CONSULTATION.value:
            raise ValidationError(N_("Only consultations are answered immediately or not."), "answered_immediately")


class ActionSchema(Schema):
    """Parameters of every lifecycle action; `action_schema` takes the ones a single action reads."""

    version = fields.Integer(load_default=None)
    reply = fields.String(validate=validate.Length(min=1, max=5000))
    reason = fields.String(validate=validate.Length(min=1, max=2000))
    message = fields.String(validate=validate.Length(min=1, max=2000))
    note = fields.String(validate=validate.Length(max=2000))
    text = fields.String(validate=validate.Length(min=1, max=5000))
    agency = fields.String(validate=validate.Length(min=1, max=32))
    into = fields.String(validate=validate.Length(min=1, max=20))
    days = fields.Integer(validate=validate.Range(1, 30), strict=False)

    @pre_load
    def drop_blanks(self, data, **kwargs):
        if not isinstance(data, Mapping):
            return data
        return {key: value for key, value in data.items() if value not in ("", None) and key != "csrf_token"}


# The parameters each action's service handler reads (besides version); whichever are required is the service's rule.
ACTION_FIELDS = {
    "accept": (), "resolve": ("reply",), "request_transfer": ("reason",), "reassign": ("agency",),
    "request_info": ("message",), "resume": ("note",), "request_extension": ("days", "reason"),
    "approve_extension": ("note",), "reject_extension": ("note",), "close": (), "reopen": ("reason",),
    "cancel": ("reason",), "merge": ("into",), "note": ("text",),
}


def action_schema(action: str) -> ActionSchema:
    """One action's parameters: a field meant for another action is refused by name ("Unknown field.")."""
    return ActionSchema(only=("version", *ACTION_FIELDS[action]), unknown=RAISE)
