"""The OpenAPI 3 document of API v1, built from the marshmallow schemas, and a page to read it."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import render_template

from casehub.api import bp
from casehub.api.calls import CallSchema
from casehub.api.reports import add_report_paths
from casehub.cases.schemas import CaseListQuerySchema, CaseSchema
from casehub.cases.services import ACTIONS
from casehub.intake.schemas import ActionSchema, CallCreateSchema, CaseCreateSchema

ERROR = {"description": "Error envelope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def build_spec() -> dict:
    spec = APISpec(title="CaseHub API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Cases, calls and reference data of the 1999 citizen-service hotline. "
                                        "Authenticate with `Authorization: Bearer <token>` "
                                        "(`flask casehub create-token USERNAME`) or the session cookie."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in (("Case", CaseSchema), ("CaseCreate", CaseCreateSchema), ("Call", CallSchema),
                         ("CallCreate", CallCreateSchema), ("Action", ActionSchema)):
        spec.components.schema(name, schema=schema)
    spec.components.schema("Error", {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "request_id": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}})
    errors = {"401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "422": ERROR}
    case_ref = {"$ref": "#/components/schemas/Case"}
    number = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
              "example": "20261126-000001"}
    spec.path("/api/v1/cases", operations={
        "post": {"summary": "Open a case (operators and managers)", "tags": ["cases"],
                 "requestBody": {"content": {"application/json": {"schema": "CaseCreate"}}},
                 "responses": {"201": _json(case_ref, "Created; Location names the case; the tracking code goes to the citizen only"),
                               **errors}},
        "get": {"summary": "List cases you may see, open ones by due time", "tags": ["cases"],
                "parameters": [{"in": "query", "schema": CaseListQuerySchema}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "items": {"type": "array", "items": case_ref}, "page": {"type": "integer"},
                    "per_page": {"type": "integer"}, "total": {"type": "integer"}}}), **errors}},
    })
    spec.path("/api/v1/cases/{number}", operations={"get": {
        "summary": "One case with its events; include=reporter shows personal data (logged)", "tags": ["cases"],
        "parameters": [number, {"name": "include", "in": "query", "schema": {"type": "string", "enum": ["reporter"]}}],
        "responses": {"200": _json(case_ref), **errors}}})
    spec.path("/api/v1/cases/{number}/actions/{action}", operations={"post": {
        "summary": "Apply a lifecycle action; send version to refuse a stale write (409)", "tags": ["cases"],
        "parameters": [number, {"name": "action", "in": "path", "required": True,
                                "schema": {"type": "string", "enum": list(ACTIONS)}}],
        "requestBody": {"content": {"application/json": {"schema": "Action"}}},
        "responses": {"200": _json(case_ref), **errors}}})
    spec.path("/api/v1/calls", operations={"post": {
        "summary": "Log a call", "tags": ["calls"],
        "requestBody": {"content": {"application/json": {"schema": "CallCreate"}}},
        "responses": {"201": _json("Call", "Created"), **errors}}})
    spec.path("/api/v1/calls/{call_id}", operations={"get": {
        "summary": "One call", "tags": ["calls"],
        "parameters": [{"name": "call_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": _json("Call"), **errors}}})
    add_report_paths(spec, errors)
    for resource in ("categories", "agencies", "districts"):
        spec.path(f"/api/v1/{resource}", operations={"get": {
            "summary": f"All {resource}", "tags": ["reference"],
            "responses": {"200": {"description": "{items: [...]}"}, "401": ERROR}}})
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


@bp.route("/openapi.json")
def openapi_document():
    return build_spec()


@bp.route("/docs")
def api_docs():
    return render_template("api/docs.html", spec=build_spec())
