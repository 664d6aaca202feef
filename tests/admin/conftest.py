import pytest

from casehub.auth.models import Role
from casehub.extensions import db


@pytest.fixture
def signed_in(client, make_user, login):
    """Sign in a fresh user with `role` and return them (committed, so requests see them)."""

    def _sign_in(role: Role = Role.ADMIN, **overrides):
        user = make_user(role, **overrides)
        db.session.commit()
        login(user)
        return user

    return _sign_in
