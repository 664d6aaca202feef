"""Open311 GeoReport v2 under /open311/v2: the city's app and third-party apps file and follow service requests."""
from flask import Blueprint

from casehub.extensions import csrf

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
# Apps post forms without a session, so there is no CSRF token to check; POST needs an api_key instead.
csrf.exempt(bp)

from casehub.open311 import views  # noqa: E402,F401
