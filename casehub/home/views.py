import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user, login_required

from casehub.auth.access import scope_to_agency
from casehub.cases.models import Case, CaseStatus
from casehub.extensions import db

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    open_statuses = [status for status in CaseStatus if status.is_open]
    stmt = scope_to_agency(
        sa.select(sa.func.count(Case.id)).where(Case.status.in_(open_statuses)), current_user, Case.agency_id
    )
    return render_template("home/index.html", open_cases=db.session.scalar(stmt))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    target = request.referrer or "/"
    return redirect(target if target.startswith(request.host_url) or target.startswith("/") else "/")
