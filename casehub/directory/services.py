"""Rules about the city's structure that other features ask before they use an agency, and its lists."""
import sqlalchemy as sa

from casehub.directory.models import Agency, Category, District
from casehub.errors import N_, DomainError
from casehub.extensions import db


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


def named_options(model: type[Agency | Category | District], *conditions, order_by, locale: str) -> list:
    """(code, name in `locale`) of the agencies, categories or districts meeting `conditions`: a filter's options.

    Read as two columns: the full objects cost a page more than its figures do.
    """
    name = model.name_zh if locale.startswith("zh") else model.name_en
    return db.session.execute(sa.select(model.code, name).where(*conditions).order_by(*order_by)).all()


def agency_options(user, *, locale: str) -> list:
    """The active agencies a list may be filtered by; none for agency users, whose lists are their agency's."""
    if user.role.needs_agency:
        return []
    return named_options(Agency, Agency.active, order_by=(Agency.code,), locale=locale)
