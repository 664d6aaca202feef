from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from casehub.auth.models import User
from casehub.auth.services import authenticate, change_password, user_for_token
from casehub.errors import DomainError, wants_json
from casehub.extensions import db, login_manager
from casehub.forms import show_domain_error
from casehub.models import utcnow

bp = Blueprint("auth", __name__)

# What a user who must change their password may still reach: the page to change it, and the way out.
PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.logout", "home.set_language", "static", "health.healthz",
                          "health.readyz"}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 description=_l("At least 10 characters, not the username, not a common password."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@login_manager.request_loader
def load_user_from_bearer_token(req) -> User | None:
    scheme, _sep, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    user = user_for_token(token.strip(), now=utcnow())
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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data.strip(), form.password.data, now=utcnow())
        except DomainError as error:
            db.session.commit()  # keep the failure count
            messages = {
                "account_locked": _("Too many failed logins. Try again in a few minutes."),
                "invalid_credentials": _("Wrong username or password."),
            }
            form.form_errors.append(messages[error.code])
            status = error.status
        else:
            db.session.commit()
            login_user(user)
            if user.locale:
                session["locale"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


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
                            new_password=form.new_password.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "info")
            return redirect(_safe_next(request.args.get("next")))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status
