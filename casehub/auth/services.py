"""Accounts: creating users, checking passwords with lockout, issuing and resolving tokens and API keys."""
import functools
import secrets
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from casehub.audit.services import record_audit
from casehub.auth.models import ApiKey, ApiToken, Role, User, hash_secret
from casehub.directory.models import Agency
from casehub.directory.services import active_agency_or_error
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.models import utcnow

MIN_PASSWORD_LENGTH = 10  # the form's message "At least 10 characters." says this number too
TOKEN_USE_PRECISION = timedelta(minutes=1)
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, lower case, read once per process."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, username: str, *, field: str = "password") -> None:
    """Refuse weak passwords (short, containing the username, common) with a message for the field."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "weak_password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters.",
            status=422, fields={field: [N_("At least 10 characters.")]},
        )
    if username.lower() in password.lower():
        raise DomainError(
            "weak_password", "Password must not contain the username.",
            status=422, fields={field: [N_("Must not contain the username.")]},
        )
    if password.lower() in common_passwords():
        raise DomainError(
            "weak_password", "Password is one of the most common passwords.",
            status=422, fields={field: [N_("Too common: this password is on every attacker's list.")]},
        )


def create_user(
    *, username: str, password: str, role: str, display_name: str | None = None,
    agency_code: str | None = None, email: str | None = None, phone: str | None = None,
    locale: str | None = None,
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
                          status=422, fields={"agency": [N_("Required for this role.")]})
    if role.needs_agency:
        active_agency_or_error(agency)
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise DomainError("duplicate_username", f"Username '{username}' is taken.",
                          status=422, fields={"username": [N_("Already taken.")]})
    check_password_policy(password, username)
    user = User(username=username, display_name=display_name or username, role=role,
                agency=agency if role.needs_agency else None, email=email, phone=phone, locale=locale)
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
        sa.select(ApiToken).options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
    )
    if api_token is None or not api_token.user.active:
        return None
    # A write per request would double the cost of every API call; a minute's precision is plenty.
    if api_token.last_used_at is None or now - api_token.last_used_at > TOKEN_USE_PRECISION:
        api_token.last_used_at = now
    return api_token.user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """The user replaces their own password (required after an administrator reset it)."""
    if not user.check_password(current_password):
        raise DomainError("wrong_password", "The current password is wrong.", status=422,
                          fields={"current_password": [N_("This is not your current password.")]})
    if new_password == current_password:
        raise DomainError("password_unchanged", "The new password must differ from the current one.", status=422,
                          fields={"new_password": [N_("Must differ from the current password.")]})
    check_password_policy(new_password, user.username, field="new_password")
    user.set_password(new_password)
    before = {"must_change_password": user.must_change_password}
    user.must_change_password = False
    record_audit(actor=user, action="user.change_password", entity_type="user", entity_id=user.id,
                 before=before, after={"must_change_password": False})


def issue_api_key(name: str, actor: User | None) -> tuple[ApiKey, str]:
    """Create an Open311 application key; the plain key is returned once and only its hash is kept."""
    name = name.strip()
    if not name:
        raise DomainError("name_required", "An API key needs a name.", status=422,
                          fields={"name": [N_("Say which application this key is for.")]})
    plain_key = "c311_" + secrets.token_urlsafe(32)
    api_key = ApiKey(name=name, key_hash=hash_secret(plain_key), prefix=plain_key[:12],
                     created_by_id=actor.id if actor else None)
    db.session.add(api_key)
    db.session.flush()
    record_audit(actor=actor, action="api_key.create", entity_type="api_key", entity_id=api_key.id,
                 after={"name": api_key.name, "prefix": api_key.prefix})
    return api_key, plain_key


def revoke_api_key(api_key: ApiKey, actor: User | None, *, now: datetime | None = None) -> None:
    """Stop accepting `api_key` from now on; revoking twice changes nothing."""
    if api_key.revoked_at is not None:
        return
    api_key.revoked_at = now or utcnow()
    db.session.flush()
    record_audit(actor=actor, action="api_key.revoke", entity_type="api_key", entity_id=api_key.id,
                 before={"revoked_at": None}, after={"revoked_at": api_key.revoked_at.isoformat()}, now=now)


def api_key_for(plain_key: str, *, now: datetime) -> ApiKey | None:
    """The live API key matching `plain_key`, its last use set to `now`; None when unknown or revoked."""
    api_key = db.session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == hash_secret(plain_key), ApiKey.revoked_at.is_(None))
    )
    if api_key is not None:
        api_key.last_used_at = now
    return api_key
