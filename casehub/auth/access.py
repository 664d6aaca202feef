"""Role checks and agency scoping, used by every view that shows cases."""
from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from casehub.auth.models import Role, User


def roles_required(*roles: Role):
    """Allow only signed-in users holding one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def scope_to_agency(stmt: sa.Select, user: User, agency_column) -> sa.Select:
    """Limit `stmt` to the rows `user` may see: agency roles see only their own agency's."""
    if user.role.needs_agency:
        return stmt.where(agency_column == user.agency_id)
    return stmt


def can_see_agency(user: User, agency_id: int | None) -> bool:
    return not user.role.needs_agency or user.agency_id == agency_id
