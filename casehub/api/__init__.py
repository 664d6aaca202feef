"""JSON API v1: thin endpoints that translate HTTP to feature services and back."""
from flask import Blueprint
from flask_login import current_user, login_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")


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
