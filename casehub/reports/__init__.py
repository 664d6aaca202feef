"""Statistics: roll-ups computed by RQ workers, the managers' dashboard, reports, exports, historical import."""
from flask import Blueprint

from casehub.auth.models import Role

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Managers read the whole city; agency supervisors their own agency (casehub.reports.schemas.scoped_agency).
REPORT_READERS = (Role.MANAGER, Role.AGENCY_SUPERVISOR)
CITY_READERS = (Role.MANAGER,)

from casehub.reports import views  # noqa: E402,F401
