"""Accounts: creating users, checking passwords (throttled), web sessions, bearer tokens and API keys."""
import functools
import secrets
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from casehub.audit.services import record_audit
from casehub.auth.models import ApiKey, ApiToken, Role, User, UserSession, hash_secret
from casehub.auth.throttle import (FailureKind, SignInThrottled, forget_sign_in_failures, record_sign_in_failure,
                                   sign_in_wait)
from casehub.directory.models import Agency
from casehub.directory.services import active_agency_or_error
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.models import utcnow

MIN_PASSWORD_LENGTH = 10  # the form's message "At least 10 characters." says this number too
# Last use of a token and last sight of a session are kept to the minute: a write per request would be wasted.
LAST_USE_PRECISION = timedelta(minutes=1)
# The sign-in throttle trusts an address its account signed in from within this time.
KNOWN_ADDRESS_AGE = timedelta(days=30)
TOKEN_PREFIX_LENGTH = 12
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


@functools.cache
def _dummy_password_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def signed_in_from(user: User | None, address: str, *, now: datetime) -> bool:
    """Whether `user` signed in from `address` within KNOWN_ADDRESS_AGE (the sign-in throttle trusts it)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(
        UserSession.user_id == (user.id if user else None), UserSession.remote_addr == address,
        UserSession.created_at >= now - KNOWN_ADDRESS_AGE))))


def authenticate(username: str, password: str, *, address: str, now: datetime) -> User:
    """Return the user whose password this is; failures count towards the sign-in throttle.

    An unknown username and a wrong password are refused alike, after the same work: a password hash either way.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username))
    retry_at = sign_in_wait(username, address, now=now, known_address=lambda: signed_in_from(user, address, now=now))
    if retry_at is not None:
        raise SignInThrottled(retry_at, now)
    if user is None:
        check_password_hash(_dummy_password_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    if user is None or not user.check_password(password) or not user.active:
        record_sign_in_failure(username, address, now=now)
        raise DomainError("invalid_credentials", "Wrong username or password.", status=401)
    forget_sign_in_failures(FailureKind.ACCOUNT, username)
    user.last_login_at = now
    db.session.flush()
    return user


def issue_token(user: User, *, name: str | None = None, expires_at: datetime | None = None) -> str:
    """Create a bearer token for `user`; the plain token is returned once and never stored."""
    token = "chub_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_secret(token), prefix=token[:TOKEN_PREFIX_LENGTH], name=name,
                            expires_at=expires_at))
    db.session.flush()
    return token


def user_for_token(token: str, *, now: datetime) -> User | None:
    """The owner of a live bearer token, its last use set to `now` (to the minute); None when unknown or revoked.

    An expired token is refused with its own error, so that a program's owner knows to ask for a new one.
    """
    api_token = db.session.scalar(
        sa.select(ApiToken).options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
    )
    if api_token is None or not api_token.user.active:
        return None
    if not api_token.is_live(now):
        raise DomainError("token_expired", "This token has expired; ask for a new one.", status=401)
    # A write per request would double the cost of every API call; a minute's precision is plenty.
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USE_PRECISION:
        api_token.last_used_at = now
    return api_token.user


def token_list(*, user: User | None = None) -> sa.Select:
    """Bearer tokens, newest first, with their owners; only `user`'s when given."""
    stmt = sa.select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.created_at.desc(),
                                                                          ApiToken.id.desc())
    return stmt.where(ApiToken.user_id == user.id) if user is not None else stmt


def revoke_token(api_token: ApiToken, *, actor: User | None, now: datetime) -> None:
    """Stop accepting `api_token` from now on; revoking twice changes nothing."""
    if api_token.revoked_at is not None:
        return
    api_token.revoked_at = now
    db.session.flush()
    record_audit(actor=actor, action="api_token.revoke", entity_type="api_token", entity_id=api_token.id,
                 before={"revoked_at": None}, after={"revoked_at": now.isoformat(), "user": api_token.user.username},
                 now=now)


def tokens_named(text: str) -> list[ApiToken]:
    """The tokens `text` names: a whole token, or the prefix that lists show (its first 12 characters)."""
    text = text.strip().rstrip("…")
    if len(text) > TOKEN_PREFIX_LENGTH:
        condition = ApiToken.token_hash == hash_secret(text)
    else:
        condition = ApiToken.prefix == text
    return list(db.session.scalars(sa.select(ApiToken).options(joinedload(ApiToken.user)).where(condition)))


def start_session(user: User, *, now: datetime, user_agent: str | None, remote_addr: str | None) -> str:
    """Record a web sign-in; returns the random key the session cookie carries (only its hash is kept)."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, key_hash=hash_secret(key), created_at=now, last_seen_at=now,
                               user_agent=(user_agent or "")[:200] or None, remote_addr=remote_addr))
    db.session.flush()
    return key


def session_for_key(key: str, *, now: datetime) -> UserSession | None:
    """The live session whose cookie carries `key`, seen at `now` (to the minute); None once it has ended.

    A session idle longer than SESSION_IDLE_MINUTES, or older than SESSION_LIFETIME_HOURS, ends here.
    """
    user_session = db.session.scalar(sa.select(UserSession).options(joinedload(UserSession.user))
                                     .where(UserSession.key_hash == hash_secret(key)))
    if user_session is None or user_session.ended_at is not None:
        return None
    config = current_app.config
    if not user_session.is_live(now, idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                                lifetime=timedelta(hours=config["SESSION_LIFETIME_HOURS"])):
        user_session.ended_at = now
        return None
    if not user_session.user.active:
        return None
    if now - user_session.last_seen_at >= LAST_USE_PRECISION:
        user_session.last_seen_at = now
    return user_session


def end_session(user_session: UserSession, *, now: datetime) -> None:
    """Sign out of one session; ending it twice changes nothing."""
    if user_session.ended_at is None:
        user_session.ended_at = now
        db.session.flush()


def end_sessions(user: User, *, now: datetime, keep: UserSession | None = None) -> int:
    """End every live session of `user` but `keep`; returns how many ended."""
    stmt = (sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=now).execution_options(synchronize_session="fetch"))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return db.session.execute(stmt).rowcount


def sign_out_everywhere(user: User, *, now: datetime) -> int:
    """End every web session of `user`, this one included; returns how many ended."""
    ended = end_sessions(user, now=now)
    record_audit(actor=user, action="user.sign_out_everywhere", entity_type="user", entity_id=user.id,
                 after={"sessions_ended": ended}, now=now)
    return ended


def end_all_access(user: User, *, now: datetime, keep: UserSession | None = None) -> dict:
    """After a password change: end every session but `keep` and revoke every token of `user`."""
    tokens = db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session="fetch")).rowcount
    return {"sessions_ended": end_sessions(user, now=now, keep=keep), "tokens_revoked": tokens}


def live_sessions(user: User, *, now: datetime) -> list[UserSession]:
    """`user`'s sessions that have not ended, newest first (one past its idle time ends when next used)."""
    config = current_app.config
    return [user_session for user_session in db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.created_at.desc(), UserSession.id.desc()))
        if user_session.is_live(now, idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                                lifetime=timedelta(hours=config["SESSION_LIFETIME_HOURS"]))]


def change_password(user: User, *, current_password: str, new_password: str, now: datetime,
                    keep: UserSession | None = None) -> None:
    """The user replaces their own password (required after an administrator reset it).

    Every other session of theirs ends and every token is revoked: whoever held the old password is out.
    """
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
    ended = end_all_access(user, now=now, keep=keep)
    record_audit(actor=user, action="user.change_password", entity_type="user", entity_id=user.id,
                 before=before, after={"must_change_password": False} | ended, now=now)


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
