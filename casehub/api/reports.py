"""Reports API: SLA figures grouped by one dimension, and the call centre's figures, read from the roll-ups."""
from flask import request
from flask_login import current_user

from casehub.api import bp
from casehub.auth.access import roles_required
from casehub.reports import CITY_READERS, REPORT_READERS
from casehub.reports.queries import calls_report, sla_report
from casehub.reports.schemas import PeriodQuerySchema, SlaQuerySchema, load_query, report_filters

NUMBER = {"type": "number", "nullable": True}
SLA_ROW = {"type": "object", "properties": {
    "key": {"type": "string", "nullable": True,
            "description": "code of the agency, category or district; channel; kind"},
    "name": {"type": "string"}, "name_en": {"type": "string"},
    **{name: {"type": "integer"} for name in ("received", "resolved", "resolved_on_time", "overdue_open", "reopened",
                                               "first_responses", "satisfaction_responses")},
    "on_time_rate": {**NUMBER, "description": "per cent, two decimals"},
    "median_hours": NUMBER, "p90_hours": {**NUMBER, "description": "90th percentile (nearest rank), exact"},
    "median_working_days": NUMBER, "p90_working_days": NUMBER, "first_response_rate": NUMBER,
    "satisfaction_rate": NUMBER,
}}
CALLS = {"type": "object", "properties": {
    "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
    "total": {"type": "integer"}, "monthly_average": {"type": "integer"},
    "by_outcome": {"type": "object", "additionalProperties": {"type": "integer"}},
    "shares": {"type": "object", "additionalProperties": NUMBER, "description": "per cent of the total"},
    "answered_immediately": {"type": "integer"},
    "answered_immediately_rate": {**NUMBER, "description": "per cent of consultations"},
    "average_handling_seconds": NUMBER, "satisfaction_responses": {"type": "integer"},
    "satisfaction_rate": {**NUMBER, "description": "per cent of survey answers satisfied (4 or 5)"},
}}


def add_report_paths(spec, errors: dict) -> None:
    """The reports' part of the OpenAPI document."""
    spec.components.schema("SlaRow", SLA_ROW)
    spec.path("/api/v1/reports/sla", operations={"get": {
        "summary": "SLA figures over a period of city days, one row per agency, category, channel, district or kind "
                   "(read from the roll-ups; agency supervisors get their agency only)", "tags": ["reports"],
        "parameters": [{"in": "query", "schema": SlaQuerySchema}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "from": {"type": "string"}, "to": {"type": "string"}, "group_by": {"type": "string"},
                "rows": {"type": "array", "items": {"$ref": "#/components/schemas/SlaRow"}},
                "totals": {"$ref": "#/components/schemas/SlaRow"}}}}}}, **errors}}})
    spec.path("/api/v1/reports/calls", operations={"get": {
        "summary": "The call centre's figures over a period, as the annual report gives them (managers)",
        "tags": ["reports"], "parameters": [{"in": "query", "schema": PeriodQuerySchema(only=("first", "last"))}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": CALLS}}}, **errors}}})


@bp.route("/reports/sla")
@roles_required(*REPORT_READERS)
def sla_report_endpoint():
    query = load_query(SlaQuerySchema(), request.args.to_dict())
    report = sla_report(report_filters(query, current_user), query["group_by"])
    totals = report.totals.as_dict()
    for name in ("key", "name", "name_en"):
        del totals[name]
    return {"from": report.filters.first.isoformat(), "to": report.filters.last.isoformat(),
            "group_by": report.group_by, "rows": [row.as_dict() for row in report.rows], "totals": totals}


@bp.route("/reports/calls")
@roles_required(*CITY_READERS)
def calls_report_endpoint():
    query = load_query(PeriodQuerySchema(only=("first", "last")), request.args.to_dict())
    return calls_report(query["first"], query["last"])
