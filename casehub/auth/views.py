from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from casehub.auth import bp
from casehub.auth.models import User
from casehub.auth.services import authenticate, user_for_token
from casehub.errors import DomainError, wants_json
from casehub.extensions import db, login_manager
from casehub.models import utcnow


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@login_manager.request_loader
def load_user_from_bearer_token(req) -> User | None:
    scheme, _sep, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    user = user_for_token(token.strip(), now=utcnow())
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
