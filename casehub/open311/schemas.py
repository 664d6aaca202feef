"""What Open311 clients send: the POST service request form and the GET requests query."""
import re
from collections.abc import Mapping
from datetime import datetime, time, timedelta

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from werkzeug.datastructures import MultiDict

from casehub.inputs import plausible_year
from casehub.models import city_zone


MAX_WINDOW = timedelta(days=90)
STATUSES = ("open", "closed")
ATTRIBUTE_PARAMETER = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _drop_blanks(data):
    """The spec: a parameter passed empty means the same as one not passed at all."""
    if not isinstance(data, Mapping):
        return data  # marshmallow refuses it by name
    return {key: value for key, value in dict(data).items() if value not in ("", None)}


class W3CDateTime(fields.Field):
    """A W3C (ISO 8601) date or date-time; without an offset it is read in the city's time zone."""

    default_error_messages = {"invalid": "Not a W3C date-time, e.g. 2026-01-01T00:00:00+08:00."}

    def _deserialize(self, value, attr, data, **kwargs):
        zone = city_zone()
        text = str(value).strip().replace(" ", "+")  # an unescaped "+" in a query string arrives as a space
        try:
            parsed = (datetime.fromisoformat(text) if "T" in text
                      else datetime.combine(datetime.fromisoformat(text).date(), time()))
        except ValueError as error:
            raise self.make_error("invalid") from error
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


class CommaList(fields.Field):
    """A comma-separated list ("a,b,c"), blanks dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        return [item.strip() for item in str(value).split(",") if item.strip()]


class ServiceRequestCreateSchema(Schema):
    """POST requests: the spec's arguments; api_key and jurisdiction_id are checked before this."""

    class Meta:
        unknown = EXCLUDE

    service_code = fields.String(required=True, validate=validate.Length(max=64),
                                 error_messages={"required": "service_code was not provided."})
    lat = fields.Decimal(places=6, validate=validate.Range(-90, 90), allow_nan=False)
    long = fields.Decimal(places=6, validate=validate.Range(-180, 180), allow_nan=False)
    address_string = fields.String(validate=validate.Length(max=300))
    address_id = fields.String(validate=validate.Length(max=100))
    email = fields.String(validate=validate.Length(max=254))
    device_id = fields.String(validate=validate.Length(max=100))
    account_id = fields.String(validate=validate.Length(max=100))
    first_name = fields.String(validate=validate.Length(max=50))
    last_name = fields.String(validate=validate.Length(max=50))
    phone = fields.String(validate=validate.Length(max=32))
    description = fields.String(validate=validate.Length(max=4000))
    media_url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=1000))

    @pre_load
    def drop_blanks(self, data, **kwargs):
        return _drop_blanks(data)

    @validates_schema
    def check_location(self, data, **kwargs):
        if ("lat" in data) != ("long" in data):
            raise ValidationError("lat and long must be sent together.", "lat")
        if "lat" not in data and "address_string" not in data:
            # address_id alone cannot be resolved: the city has no master address repository behind CaseHub.
            raise ValidationError("A location is required: lat and long, or address_string.", "location")


class ServiceRequestQuerySchema(Schema):
    """GET requests: service_request_id (overrides the rest), service_code, start_date, end_date, status."""

    class Meta:
        unknown = EXCLUDE

    service_request_id = CommaList()
    service_code = CommaList()
    start_date = W3CDateTime(validate=plausible_year)
    end_date = W3CDateTime(validate=plausible_year)
    status = CommaList(validate=validate.ContainsOnly(STATUSES, error="status must be open or closed."))

    @pre_load
    def drop_blanks(self, data, **kwargs):
        return _drop_blanks(data)

    @validates_schema
    def check_window(self, data, **kwargs):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError("end_date must not be before start_date.", "end_date")
        if start and end and end - start > MAX_WINDOW:
            raise ValidationError("start_date and end_date may not span more than 90 days.", "end_date")


def attribute_values(form: MultiDict) -> dict[str, list[str]]:
    """attribute[code]=value and attribute[code][]=value pairs, every value of each code, blanks dropped."""
    values: dict[str, list[str]] = {}
    for key in form:
        match = ATTRIBUTE_PARAMETER.match(key)
        if match:
            values.setdefault(match.group(1), []).extend(v for v in form.getlist(key) if v.strip())
    return values
