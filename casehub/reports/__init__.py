"""Statistics: roll-ups computed by RQ workers, the managers' dashboard, reports, exports, historical import."""

from casehub.auth.models import Role

# Managers read the whole city; agency supervisors their own agency (casehub.reports.schemas.scoped_agency).
REPORT_READERS = (Role.MANAGER, Role.AGENCY_SUPERVISOR)
CITY_READERS = (Role.MANAGER,)
