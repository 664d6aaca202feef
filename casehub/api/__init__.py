"""JSON API v1: thin endpoints that translate HTTP to feature services and back."""
from flask import Blueprint, request
from flask_login import current_user, login_required
from marshmallow import Schema

from casehub.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def require_json_writes():
    """Form-encoded writes are refused: a cross-site form cannot send JSON, so JSON-only writes need no CSRF token.

    (Bearer-token clients carry no cookie at all; session-cookie clients are covered by this rule.)
    """
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.content_length and not request.is_json:
        raise ApiError("json_required", "Send the request body as application/json.", status=415)
    if request.method == "POST" and not request.content_length and "Authorization" not in request.headers:
        raise ApiError("json_required", "Send the request body as application/json.", status=415)


def load_body(schema: Schema) -> dict:
    """The request's JSON object, validated by `schema` (ValidationError becomes a 422 naming each field)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError("invalid_json", "The request body must be a JSON object.", status=400)
    return schema.load(body)


@bp.route("/me")
@login_required
def me():
    """Who the session cookie or bearer token belongs to."""
    agency = current_user.agency
    return {
        "username": current_user.username,
        "display_name": current_user.display_name,
        "role": current_user.role.value,
        "agency": {"code": agency.code, "name": agency.name_zh} if agency else None,
    }


from casehub.api import calls, cases, docs, reference, reports  # noqa: E402,F401
