"""`flask casehub ...`: operations commands. Each parses its input, calls a service and commits."""
import sys
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from casehub.auth.models import ApiToken, Role, User
from casehub.auth.services import (create_user, issue_api_key, issue_token, revoke_token, token_list,
                                   tokens_named)
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.models import utcnow

casehub_cli = AppGroup("casehub", help="CaseHub operations.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@casehub_cli.command("seed")
@click.option("--demo", is_flag=True, help="Also create one demo user per role and sample cases.")
def seed_command(demo: bool) -> None:
    """Load Kaohsiung's agencies, districts, SLA policies and categories (safe to run twice)."""
    from casehub.directory.seed import seed_demo_cases, seed_demo_users, seed_reference_data

    counts = seed_reference_data()
    click.echo("Reference data: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
    if demo:
        created = seed_demo_users()
        cases = seed_demo_cases()
        db.session.commit()
        for username, role, password in created:
            click.echo(f"Demo user {username:<11} role {role:<18} password {password}")
        if not created:
            click.echo("Demo users already exist (passwords unchanged).")
        click.echo(f"Sample cases created: {cases}")
    db.session.commit()


@casehub_cli.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True, help="One of: " + ", ".join(r.value for r in Role))
@click.option("--agency", "agency_code", help="Agency code; required for agency roles.")
@click.option("--name", "display_name")
@click.option("--email")
@click.option("--password", help="Prompted for when not given.")
def create_user_command(username, role, agency_code, display_name, email, password) -> None:
    """Create a staff account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(username=username, password=password, role=role, agency_code=agency_code,
                           display_name=display_name, email=email)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Created user {user.username} ({user.role.value}).")


@casehub_cli.command("create-token")
@click.argument("username")
@click.option("--name", help="What the token is for.")
@click.option("--expires-days", type=click.IntRange(min=1, max=3650), help="Refuse the token after this many days.")
def create_token_command(username: str, name: str | None, expires_days: int | None) -> None:
    """Print a new API token for USERNAME; it is shown only this once."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        _fail(f"No user named '{username}'.")
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None
    token = issue_token(user, name=name, expires_at=expires_at)
    db.session.commit()
    click.echo(token)


@casehub_cli.command("list-tokens")
@click.option("--user", "username", help="Only this user's tokens.")
def list_tokens_command(username: str | None) -> None:
    """List API tokens: prefix, owner, purpose, expiry, last use and whether revoked (never the secret)."""
    user = None
    if username:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            _fail(f"No user named '{username}'.")
    now = utcnow()
    for api_token in db.session.scalars(token_list(user=user)):
        state = ("revoked " + api_token.revoked_at.isoformat(timespec="minutes") if api_token.revoked_at
                 else "active" if api_token.is_live(now) else "expired")
        click.echo("\t".join([
            api_token.prefix, api_token.user.username, api_token.name or "-",
            "expires " + (api_token.expires_at.isoformat(timespec="minutes") if api_token.expires_at else "never"),
            "last used " + (api_token.last_used_at.isoformat(timespec="minutes") if api_token.last_used_at else "never"),
            state,
        ]))


@casehub_cli.command("revoke-token")
@click.argument("token", required=False)
@click.option("--user", "username", help="Revoke every token of this user instead.")
def revoke_token_command(token: str | None, username: str | None) -> None:
    """Revoke the API token TOKEN (the whole token, or the prefix `list-tokens` shows), or every token of --user."""
    if bool(token) == bool(username):
        _fail("Give either a token (or its prefix) or --user, not both.")
    if username:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            _fail(f"No user named '{username}'.")
        tokens = db.session.scalars(token_list(user=user).where(ApiToken.revoked_at.is_(None))).all()
    else:
        tokens = tokens_named(token)
        if not tokens:
            _fail(f"No token starts with '{token}'.")
        if len(tokens) > 1:
            _fail(f"{len(tokens)} tokens start with '{token}'; give the whole token.")
    now = utcnow()
    for api_token in tokens:
        revoke_token(api_token, actor=None, now=now)
    db.session.commit()
    click.echo(f"Revoked {len(tokens)} token(s).")


@casehub_cli.command("create-api-key")
@click.option("--name", required=True, help="The application the key is for.")
def create_api_key_command(name: str) -> None:
    """Print a new Open311 API key; it is shown only this once."""
    try:
        _api_key, plain_key = issue_api_key(name, None)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(plain_key)


@casehub_cli.command("sweep")
def sweep_command() -> None:
    """Write the SLA reminders and escalations due now (what the scheduler has a worker do every minute)."""
    from casehub.sla.jobs import sweep_until_done

    result = sweep_until_done(utcnow())
    click.echo(f"SLA sweep: {result.cases} due cases handled, {result.messages} notifications written.")


@casehub_cli.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the embedded demo: web server plus, without Redis, the in-process scheduler."""
    from flask import current_app
    from werkzeug.serving import run_simple

    from workers.scheduler import start_embedded_scheduler

    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        start_embedded_scheduler(app)
    run_simple(host, port, app, threaded=True, use_reloader=False)


def register_cli(app: Flask) -> None:
    from casehub.reports.cli import import_command, rollup_command

    casehub_cli.add_command(rollup_command)
    casehub_cli.add_command(import_command)
    app.cli.add_command(casehub_cli)
