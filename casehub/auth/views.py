from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Regexp

from casehub.auth.models import ApiToken, User
from casehub.auth.services import (authenticate, change_password, end_session, live_sessions, revoke_token,
                                   session_for_key, sign_out_everywhere, start_session, token_list, user_for_token)
from casehub.auth.throttle import SignInThrottled
from casehub.errors import DomainError, wants_json
from casehub.extensions import db, login_manager
from casehub.forms import show_domain_error
from casehub.models import city_zone, utcnow

bp = Blueprint("auth", __name__)

# The Flask session's entry holding the key of this sign-in's row in user_sessions.
SESSION_KEY = "session_key"

# What a user who must change their password may still reach: the page to change it, and the way out.
PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.logout", "auth.logout_everywhere", "home.set_language",
                          "static", "health.healthz", "health.readyz"}


class LoginForm(FlaskForm):
    # No account name holds a NUL, and PostgreSQL refuses one in a query: a form error, not a 500.
    username = StringField(_l("Username"), validators=[DataRequired(), Regexp(r"\A[^\x00]*\Z",
                                                                            message=_l("Not a valid username."))])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 description=_l("At least 10 characters, not the username, not a common password."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of this browser's session, while that session lives on the server (see session_for_key)."""
    key = session.get(SESSION_KEY)
    if not key:
        return None
    user_session = session_for_key(key, now=utcnow())
    if db.session.dirty:
        db.session.commit()  # records last_seen_at, or the end of an idle session
    if user_session is None or user_session.user_id != int(user_id):
        return None
    g.user_session = user_session
    return user_session.user


@login_manager.request_loader
def load_user_from_bearer_token(req) -> User | None:
    scheme, _sep, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    user = user_for_token(token.strip(), now=utcnow())  # an expired token raises a 401 of its own
    if db.session.dirty:
        db.session.commit()  # records last_used_at
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        abort(401, "Sign in, or send 'Authorization: Bearer <token>'.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing tool.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


def _client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = authenticate(form.username.data.strip(), form.password.data, address=_client_address(), now=now)
        except SignInThrottled as throttled:
            form.form_errors.append(_("Too many failed sign-ins. Try again at %(time)s.",
                                      time=throttled.retry_at.astimezone(city_zone()).strftime("%H:%M:%S")))
            status, headers = throttled.status, {"Retry-After": str(throttled.retry_after_seconds)}
        except DomainError as error:
            form.form_errors.append(_("Wrong username or password."))
            status = error.status
        else:
            key = start_session(user, now=now, user_agent=request.user_agent.string, remote_addr=_client_address())
            db.session.commit()
            login_user(user)
            session[SESSION_KEY] = key
            if user.locale:
                session["locale"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status, headers


def _end_this_session() -> None:
    if "user_session" in g:
        end_session(g.user_session, now=utcnow())
        db.session.commit()
    session.pop(SESSION_KEY, None)
    logout_user()


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    _end_this_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    ended = sign_out_everywhere(current_user, now=utcnow())
    db.session.commit()
    _end_this_session()
    flash(ngettext("You have signed out of %(num)d session.", "You have signed out of %(num)d sessions.", ended),
          "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    now = utcnow()
    return render_template("auth/account.html", sessions=live_sessions(current_user, now=now),
                           this_session=g.get("user_session"),
                           tokens=db.session.scalars(token_list(user=current_user)).all(), now=now)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_own_token(token_id: int):
    api_token = db.get_or_404(ApiToken, token_id)
    if api_token.user_id != current_user.id:
        abort(404)
    revoke_token(api_token, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("Token revoked: programs using it are refused from now on."), "info")
    return redirect(url_for("auth.account"))


@bp.before_app_request
def require_password_change():
    """After an administrator reset it, the user's first stop is the page to choose their own password."""
    if request.endpoint in PASSWORD_CHANGE_EXEMPT or request.endpoint is None:
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    if wants_json():
        raise DomainError("password_change_required", "Sign in on the web and change your password first.",
                          status=403)
    return redirect(url_for("auth.change_password", next=request.full_path.rstrip("?")))


@bp.route("/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_page():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, current_password=form.current_password.data,
                            new_password=form.new_password.data, now=utcnow(), keep=g.get("user_session"))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "info")
            return redirect(_safe_next(request.args.get("next")))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status
