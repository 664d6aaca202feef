"""Accounts: creating users, checking passwords with lockout, issuing and resolving tokens."""
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casehub.auth.models import ApiToken, Role, User, hash_secret
from casehub.directory.models import Agency
from casehub.errors import DomainError
from casehub.extensions import db

MIN_PASSWORD_LENGTH = 10


def check_password_policy(password: str, username: str) -> None:
    """Refuse weak passwords with a message the form can show beside the field."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "weak_password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters.",
            status=422, fields={"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]},
        )
    if username.lower() in password.lower():
        raise DomainError(
            "weak_password", "Password must not contain the username.",
            status=422, fields={"password": ["Must not contain the username."]},
        )


def create_user(
    *, username: str, password: str, role: str, display_name: str | None = None,
    agency_code: str | None = None, email: str | None = None,
) -> User:
    """Create a staff account; the role decides whether an agency is required."""
    try:
        role = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise DomainError("unknown_role", f"Unknown role '{role}'. Choose one of: {choices}.",
                          status=422, fields={"role": [f"One of: {choices}."]})
    agency = None
    if agency_code:
        agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise DomainError("unknown_agency", f"Unknown agency '{agency_code}'.",
                              status=422, fields={"agency": ["No agency has this code."]})
    if role.needs_agency and agency is None:
        raise DomainError("agency_required", f"Role '{role}' needs an agency.",
                          status=422, fields={"agency": ["Required for this role."]})
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise DomainError("duplicate_username", f"Username '{username}' is taken.",
                          status=422, fields={"username": ["Already taken."]})
    check_password_policy(password, username)
    user = User(username=username, display_name=display_name or username, role=role,
                agency=agency if role.needs_agency else None, email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str, *, now: datetime) -> User:
    """Return the user whose password this is, counting failures towards a lockout."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    refused = DomainError("invalid_credentials", "Wrong username or password.", status=401)
    if user is None or not user.active:
        raise refused
    if user.is_locked(now):
        raise DomainError("account_locked", "Too many failed logins; try again later.", status=429)
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
        db.session.flush()
        raise refused
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


def issue_token(user: User, *, name: str | None = None) -> str:
    """Create a bearer token for `user`; the plain token is returned once and never stored."""
    token = "chub_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_secret(token), prefix=token[:12], name=name))
    db.session.flush()
    return token


def user_for_token(token: str, *, now: datetime) -> User | None:
    api_token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
    )
    if api_token is None or not api_token.user.active:
        return None
    api_token.last_used_at = now
    return api_token.user
