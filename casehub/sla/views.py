"""The SLA pages, for managers and admins: policies, the city's calendar, and deadline previews."""
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from casehub.auth.access import roles_required
from casehub.directory.models import Category
from casehub.extensions import db
from casehub.forms import form_page, submit_form
from casehub.models import utcnow
from casehub.sla.admin import declare_exception, save_policy, withdraw_exception
from casehub.sla.calendar import BusinessCalendar, national_calendar
from casehub.sla.forms import CalendarExceptionForm, DeadlinePreviewForm, PolicyCreateForm, PolicyForm
from casehub.sla.models import CalendarException, SlaPolicy
from casehub.sla.pages import MANAGERS, category_choices
from casehub.sla.services import compute_deadline

bp = Blueprint("sla", __name__, url_prefix="/admin/sla")
POLICY_FIELDS = ["name_zh", "name_en", "clock", "resolution_target", "first_response_minutes", "reminder_thresholds",
                 "escalation_cycle", "max_total_working_days", "active"]
EXCEPTION_FIELDS = ["day", "kind", "closed_from", "closed_until", "reason"]


def deadline_preview() -> tuple[DeadlinePreviewForm, dict | None]:
    """The preview form from the query string, and the deadline its category would get if received then (or now)."""
    form = DeadlinePreviewForm(request.args)
    form.category.choices = category_choices(blank=_("Choose a category"))
    if not request.args.get("category") or not form.validate():
        return form, None
    category = db.session.get(Category, form.category.data)
    calendar = BusinessCalendar.load()
    received_at = form.received_at.data.replace(tzinfo=calendar.zone) if form.received_at.data else utcnow()
    deadline = compute_deadline(category.sla_policy, received_at, calendar=calendar)
    return form, {"category": category, "received_at": received_at, "deadline": deadline}


@bp.route("/policies")
@roles_required(*MANAGERS)
def policies():
    preview_form, preview = deadline_preview()
    rows = db.session.scalars(sa.select(SlaPolicy).order_by(SlaPolicy.clock, SlaPolicy.resolution_target)).all()
    return render_template("sla/policies.html", policies=rows, preview_form=preview_form, preview=preview)


@bp.route("/policies/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_policy():
    form = PolicyCreateForm()
    if submit_form(form, lambda: save_policy(None, form.data, actor=current_user, now=utcnow())):
        flash(_("SLA policy added."), "info")
        return redirect(url_for("sla.policies"))
    return form_page(form, ["code", *POLICY_FIELDS], title=_("New SLA policy"), back=url_for("sla.policies"))


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_policy(policy_id: int):
    policy = db.get_or_404(SlaPolicy, policy_id)
    form = PolicyForm(data={name: getattr(policy, name) for name in POLICY_FIELDS}
                      | {"reminder_thresholds": ", ".join(f"{value:g}" for value in policy.reminder_thresholds)})
    if submit_form(form, lambda: save_policy(policy, form.data, actor=current_user, now=utcnow())):
        flash(_("Saved. Open cases keep the deadline they have; new cases get the new targets."), "info")
        return redirect(url_for("sla.policies"))
    return form_page(form, POLICY_FIELDS, title=f"{policy.name(str(get_locale()))} ({policy.code})",
                      back=url_for("sla.policies"))


def _requested_year() -> int:
    this_year = BusinessCalendar.load().local(utcnow()).year
    year = request.args.get("year", this_year, type=int)
    if not 1998 <= year <= this_year + 10:  # the national calendar starts in 1998
        abort(404)
    return year


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def calendar():
    form = CalendarExceptionForm()
    declared = {}

    def declare():
        declared["exception"], declared["moved"] = declare_exception(
            {name: form[name].data for name in EXCEPTION_FIELDS}, actor=current_user, now=utcnow())

    if submit_form(form, declare):
        flash(_("Declared for %(day)s. Deadlines recomputed: %(count)d open cases.",
                day=declared["exception"].day.isoformat(), count=declared["moved"]), "info")
        return redirect(url_for("sla.calendar", year=declared["exception"].day.year))
    year = form.day.data.year if form.day.data else _requested_year()
    exceptions = db.session.scalars(
        sa.select(CalendarException)
        .where(CalendarException.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(CalendarException.day)).all()
    preview_form, preview = deadline_preview()
    status = 422 if request.method == "POST" else 200
    return render_template("sla/calendar.html", form=form, year=year, exceptions=exceptions,
                           national=national_calendar(year), office_hours=current_app.config["OFFICE_HOURS"],
                           preview_form=preview_form, preview=preview), status


@bp.route("/calendar/<int:exception_id>/withdraw", methods=["POST"])
@roles_required(*MANAGERS)
def withdraw(exception_id: int):
    exception = db.get_or_404(CalendarException, exception_id)
    day = exception.day
    moved = withdraw_exception(exception, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("Withdrawn for %(day)s. Deadlines recomputed: %(count)d open cases.", day=day.isoformat(), count=moved),
          "info")
    return redirect(url_for("sla.calendar", year=day.year))
