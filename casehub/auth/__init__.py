from flask import Blueprint

bp = Blueprint("auth", __name__)

from casehub.auth import views  # noqa: E402,F401
