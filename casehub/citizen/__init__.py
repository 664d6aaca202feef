"""The citizen's side, without an account: write to the mayor, follow a case, rate the answer, reopen it."""
from flask import Blueprint

bp = Blueprint("citizen", __name__, url_prefix="/citizen")

from casehub.citizen import views  # noqa: E402,F401
