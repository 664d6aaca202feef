"""The OpenAPI 3 document of API v1, built from the marshmallow schemas, and a page to read it.

Each operation lists the error statuses it really answers (tests/fuzz checks them against the running app).
"""
from decimal import Decimal

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import render_template

from casehub.api import bp
from casehub.api.calls import CallSchema
from casehub.api.reports import add_report_paths
from casehub.cases.schemas import CaseListQuerySchema, CaseSchema
from casehub.intake.schemas import ACTION_FIELDS, CallCreateSchema, CaseCreateSchema, action_schema

ERROR_MEANINGS = {
    "400": "Unreadable input: a NUL character, invalid UTF-8 or percent-encoding, JSON that does not parse or is "
           "nested more than 32 levels deep",
    "401": "No valid bearer token or session",
    "403": "The user's role may not do this",
    "404": "No such resource (or not visible to the user's agency)",
    "409": "The case's state or version does not allow it",
    "415": "The body is not application/json",
    "422": "Some fields are invalid; `fields` names each",
}
ERROR_ENVELOPE = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "request_id"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "request_id": {"type": "string"},
        "fields": {"type": "object", "description": "Messages by field; a nested object for nested fields",
                   "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}},
                                                      {"type": "object"}]}}}}}}


def errors(*statuses: int) -> dict:
    """The documented error responses, each with the error envelope."""
    return {str(status): {"description": ERROR_MEANINGS[str(status)], "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}} for status in statuses}


def decimal_bounds_as_numbers(self, field, ret, **kwargs) -> dict:
    """apispec writes a Decimal field's Range bounds as Decimals, which JSON renders as strings ("90.000000")."""
    return {key: float(value) for key, value in ret.items() if isinstance(value, Decimal)}


def _json(schema: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def build_spec() -> dict:
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(title="CaseHub API", version="1", openapi_version="3.0.3",
                   plugins=[marshmallow_plugin],
                   info={"description": "Cases, calls and reference data of the 1999 citizen-service hotline. "
                                        "Authenticate with `Authorization: Bearer <token>` "
                                        "(`flask casehub create-token USERNAME`) or the session cookie."})
    marshmallow_plugin.converter.add_attribute_function(decimal_bounds_as_numbers)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in (("Case", CaseSchema), ("CaseCreate", CaseCreateSchema), ("Call", CallSchema),
                         ("CallCreate", CallCreateSchema)):
        spec.components.schema(name, schema=schema)
    spec.components.schema("Error", ERROR_ENVELOPE)
    case_ref = {"$ref": "#/components/schemas/Case"}
    number = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
              "example": "20261126-000001"}
    spec.path("/api/v1/cases", operations={
        "post": {"summary": "Open a case (operators and managers)", "tags": ["cases"],
                 "requestBody": {"content": {"application/json": {"schema": "CaseCreate"}}},
                 "responses": {"201": _json(case_ref, "Created; Location names the case; the tracking code goes to the citizen only"),
                               **errors(400, 401, 403, 409, 415, 422)}},
        "get": {"summary": "List cases you may see, open ones by due time", "tags": ["cases"],
                "parameters": [{"in": "query", "schema": CaseListQuerySchema}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "items": {"type": "array", "items": case_ref}, "page": {"type": "integer"},
                    "per_page": {"type": "integer"}, "total": {"type": "integer"}}}),
                **errors(400, 401, 403, 422)}},
    })
    spec.path("/api/v1/cases/{number}", operations={"get": {
        "summary": "One case with its events; include=reporter shows personal data (logged)", "tags": ["cases"],
        "parameters": [number, {"name": "include", "in": "query", "schema": {"type": "string", "enum": ["reporter"]}}],
        "responses": {"200": _json(case_ref), **errors(400, 401, 403, 404)}}})
    for action, parameters in ACTION_FIELDS.items():
        # Named by its fields: actions reading the same fields share one schema (apispec keys schemas so).
        body = "Action" + "".join(name.title() for name in parameters)
        if body not in spec.components.schemas:
            spec.components.schema(body, schema=action_schema(action))
        spec.path(f"/api/v1/cases/{{number}}/actions/{action}", operations={"post": {
            "summary": f"Apply the lifecycle action {action}; send version to refuse a stale write (409)",
            "description": f"Fields: version{''.join(', ' + name for name in parameters)}; any other is a 422.",
            "tags": ["cases"], "parameters": [number],
            "requestBody": {"content": {"application/json": {"schema": body}}},
            "responses": {"200": _json(case_ref), **errors(400, 401, 403, 404, 409, 415, 422)}}})
    spec.path("/api/v1/calls", operations={"post": {
        "summary": "Log a call", "tags": ["calls"],
        "requestBody": {"content": {"application/json": {"schema": "CallCreate"}}},
        "responses": {"201": _json("Call", "Created"), **errors(400, 401, 403, 415, 422)}}})
    spec.path("/api/v1/calls/{call_id}", operations={"get": {
        "summary": "One call", "tags": ["calls"],
        "parameters": [{"name": "call_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": _json("Call"), **errors(400, 401, 403, 404)}}})
    add_report_paths(spec, errors(400, 401, 403, 422))
    for resource in ("categories", "agencies", "districts"):
        spec.path(f"/api/v1/{resource}", operations={"get": {
            "summary": f"All {resource}", "tags": ["reference"],
            "responses": {"200": _json({"type": "object", "required": ["items"], "properties": {
                "items": {"type": "array", "items": {"type": "object"}}}}), **errors(400, 401)}}})
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


@bp.route("/openapi.json")
def openapi_document():
    return build_spec()


@bp.route("/docs")
def api_docs():
    return render_template("api/docs.html", spec=build_spec())
