"""Report queries: a period of city days, optional filters by code, and (for the SLA report) a grouping."""
from datetime import date

import sqlalchemy as sa
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casehub.auth.models import User
from casehub.cases.models import Channel
from casehub.directory.models import Agency, CaseKind, Category, District
from casehub.errors import ApiError
from casehub.extensions import db
from casehub.inputs import plausible_year
from casehub.reports.queries import GROUP_BY, ReportFilters

DATE_MESSAGES = {"invalid": "Not a valid date: use YYYY-MM-DD.", "required": "Required: a date as YYYY-MM-DD."}
MONTH_FORMAT = "%Y-%m"


class PeriodQuerySchema(Schema):
    """`from` and `to` (city days, both included) and optional filters by code."""

    first = fields.Date(data_key="from", required=True, error_messages=DATE_MESSAGES, validate=plausible_year)
    last = fields.Date(data_key="to", required=True, error_messages=DATE_MESSAGES, validate=plausible_year)
    agency = fields.String(validate=validate.Length(max=32))
    category = fields.String(validate=validate.Length(max=64))
    district = fields.String(validate=validate.Length(max=32))
    channel = fields.String(validate=validate.OneOf([c.value for c in Channel],
                                                    error="Unknown channel '{input}': use one of {choices}."))
    kind = fields.String(validate=validate.OneOf([k.value for k in CaseKind],
                                                 error="Unknown kind '{input}': use one of {choices}."))

    @validates_schema
    def period_in_order(self, data, **kwargs):
        if "first" in data and "last" in data and data["last"] < data["first"]:
            raise ValidationError(f"The period ends ({data['last']}) before it starts ({data['first']}).", "to")


class SlaQuerySchema(PeriodQuerySchema):
    group_by = fields.String(load_default="agency", validate=validate.OneOf(
        GROUP_BY, error="Unknown group_by '{input}': use one of {choices}."))


class MonthQuerySchema(Schema):
    month = fields.Date(format=MONTH_FORMAT, required=True, validate=plausible_year,
                        error_messages={"invalid": "Not a valid month: use YYYY-MM.", "required": "Required: YYYY-MM."})
    agency = fields.String(required=True, validate=validate.Length(max=32))


def load_query(schema: Schema, args: dict) -> dict:
    """Validate query arguments; a 422 naming every problem in its message and in `fields` otherwise."""
    try:
        return schema.load({key: value for key, value in args.items() if value != ""})
    except ValidationError as error:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in _flat(error.messages))
        raise ApiError("invalid_query", f"Invalid report query: {problems}", status=422,
                       fields=error.messages) from None


def _flat(messages: dict | list, prefix: str = ""):
    if isinstance(messages, list):
        yield prefix or "query", [str(message) for message in messages]
        return
    for name, value in messages.items():
        yield from _flat(value, name if name != "_schema" else prefix)


def _by_code(model, field: str, code: str):
    row = db.session.scalar(sa.select(model).where(model.code == code))
    if row is None:
        problem = f"No {field} has the code '{code}'."
        raise ApiError("invalid_query", f"Invalid report query: {field}: {problem}", status=422,
                       fields={field: [problem]})
    return row


def scoped_agency(user: User, code: str | None) -> Agency | None:
    """The agency a report is about: agency supervisors get their own only (naming another is refused)."""
    agency = _by_code(Agency, "agency", code) if code else None
    if user.role.needs_agency:
        if agency is not None and agency.id != user.agency_id:
            raise ApiError("forbidden", "Agency supervisors see their own agency's figures only.", status=403)
        return user.agency
    return agency


def report_filters(query: dict, user: User, *, first: date | None = None, last: date | None = None) -> ReportFilters:
    """Filters from a validated query: codes become ids; an unknown code is a 422 naming it."""
    agency = scoped_agency(user, query.get("agency"))
    category = _by_code(Category, "category", query["category"]) if query.get("category") else None
    district = _by_code(District, "district", query["district"]) if query.get("district") else None
    return ReportFilters(
        first=first or query["first"], last=last or query["last"],
        agency_id=agency.id if agency else None, category_id=category.id if category else None,
        channel=Channel(query["channel"]) if query.get("channel") else None,
        district_id=district.id if district else None,
        kind=CaseKind(query["kind"]) if query.get("kind") else None,
    )
