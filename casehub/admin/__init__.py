"""Administration: users, agencies, categories, API keys and the audit trail, managed in the browser."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from casehub.admin import views  # noqa: E402,F401
