"""Rules about the city's structure that other features ask before they use an agency."""
from casehub.directory.models import Agency
from casehub.errors import N_, DomainError


def active_agency_or_error(agency: Agency | None, *, field: str = "agency") -> Agency:
    """Return `agency` if it may receive new cases and staff; refuse a missing or deactivated one.

    The refusal names `field`, so a form shows it beside the agency picker.
    """
    if agency is None:
        raise DomainError("agency_required", "Choose an agency.", status=422,
                          fields={field: [N_("Choose an agency.")]})
    if not agency.active:
        raise DomainError("agency_inactive", f"Agency {agency.code} is deactivated and takes no new cases.",
                          status=422, fields={field: [N_("This agency is deactivated and takes no new cases.")]})
    return agency
