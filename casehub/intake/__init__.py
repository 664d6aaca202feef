from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/intake")

from casehub.intake import views  # noqa: E402,F401
