"""Public pages, no login: the mayor's mailbox, tracking a case by number and private code, rating, reopening.

A case found with its number and code is remembered in the visitor's session, so the code never travels in a
URL; the pages show the case's steps and the reply, never personal data or staff names.
"""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import get_locale, gettext as _
from marshmallow import ValidationError
from wtforms.fields.choices import SelectChoice

from casehub.cases.attachments import check_upload
from casehub.cases.models import Case, Channel
from casehub.citizen.forms import MailboxForm, RatingForm, ReopenForm, TrackForm
from casehub.citizen.services import (
    citizen_timeline, current_rating, find_case_by_code, may_reopen, rate_case, reopen_by_citizen, reopen_deadline,
)
from casehub.directory.models import Category, District
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.forms import show_domain_error
from casehub.intake.schemas import CaseCreateSchema, ReporterSchema
from casehub.intake.services import intake_case
from casehub.masking import mask_text
from casehub.models import utcnow
from casehub.ratelimit import check_rate_limit, client_address

bp = Blueprint("citizen", __name__, url_prefix="/citizen")

TRACKED_CASES = "tracked_cases"
MAX_TRACKED_CASES = 20
# Intake names a few things differently from the mailbox form (the map's point is shown beside the address).
FORM_FIELDS = {"attachments": "photos", "lat": "address", "lng": "address"}


def _remember(number: str) -> None:
    tracked = [known for known in session.get(TRACKED_CASES, []) if known != number]
    session[TRACKED_CASES] = [*tracked, number][-MAX_TRACKED_CASES:]


def _tracked_case(number: str) -> Case | None:
    """The case, if this visitor has shown its private code in this session."""
    if number not in session.get(TRACKED_CASES, []):
        return None
    return db.session.scalar(sa.select(Case).where(Case.number == number))


@bp.route("/")
def index():
    return render_template("citizen/index.html")


def _mailbox_choices(form: MailboxForm) -> None:
    """The public categories, grouped as the catalogue groups them, and the districts."""
    locale = str(get_locale())
    categories = db.session.scalars(sa.select(Category).where(Category.is_public, Category.active)
                                    .order_by(Category.group, Category.sort_order, Category.code))
    form.category.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(category.code, category.name(locale), optgroup=category.group or _("Other"))
        for category in categories]
    districts = db.session.scalars(sa.select(District).order_by(District.sort_order, District.code))
    form.district.choices = [SelectChoice("", _("Not sure"))] + [
        SelectChoice(district.code, district.name(locale)) for district in districts]


def _mailbox_case_data(form: MailboxForm) -> dict:
    """Load the form through intake's schemas, every refusal named after the form's own field."""
    reporter = {"name": form.name.data.strip(), "email": (form.email.data or "").strip(),
                "phone": (form.phone.data or "").strip(), "anonymous": False,
                "contact_preference": form.contact_preference.data}
    data = {"channel": Channel.MAYOR_MAILBOX.value, "category": form.category.data,
            "description": form.description.data.strip(), "address": (form.address.data or "").strip(),
            "district": form.district.data, "lat": form.lat.data, "lng": form.lng.data, "reporter": reporter}
    problems = {}
    try:
        ReporterSchema().load(reporter)  # on its own, so that its refusals name the form's flat fields
    except ValidationError as error:
        problems.update(error.messages)
    try:
        case_data = CaseCreateSchema().load(data)
    except ValidationError as error:
        problems.update({key: value for key, value in error.messages.items() if key != "reporter"})
    if problems:
        raise DomainError("validation_failed", "Some fields are invalid.", status=422, fields=problems)
    return case_data


def _show_on_mailbox_form(form: MailboxForm, error: DomainError) -> None:
    fields = {FORM_FIELDS.get(key, key): value for key, value in (error.fields or {}).items()}
    show_domain_error(form, DomainError(error.code, error.message, fields=fields))


@bp.route("/mailbox", methods=["GET", "POST"])
def mailbox():
    form = MailboxForm()
    _mailbox_choices(form)
    if not form.validate_on_submit():
        return render_template("citizen/mailbox.html", form=form), 422 if form.errors else 200
    now = utcnow()
    try:
        case_data = _mailbox_case_data(form)
        uploads = [check_upload(photo.filename, photo.read()) for photo in form.photos.data or [] if photo.filename]
        check_rate_limit("citizen_form", client_address(), now=now)
        case, tracking_code = intake_case(case_data, operator=None, now=now, uploads=uploads)
    except DomainError as error:
        db.session.rollback()
        _show_on_mailbox_form(form, error)
        return render_template("citizen/mailbox.html", form=form), error.status
    db.session.commit()
    _remember(case.number)
    # Shown once on the next page, then gone: only its hash is stored.
    session["new_case"] = {"number": case.number, "code": tracking_code}
    return redirect(url_for("citizen.sent"))


@bp.route("/mailbox/sent")
def sent():
    new_case = session.pop("new_case", None)
    if new_case is None:
        return redirect(url_for("citizen.track"))
    return render_template("citizen/sent.html", number=new_case["number"], code=new_case["code"])


@bp.route("/track", methods=["GET", "POST"])
def track():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("citizen/track.html", form=form), 422 if form.errors else 200
    try:
        check_rate_limit("tracking", client_address(), now=utcnow())
        case = find_case_by_code(form.number.data, form.code.data)
    except DomainError as error:
        show_domain_error(form, error)
        return render_template("citizen/track.html", form=form), error.status
    _remember(case.number)
    return redirect(url_for("citizen.case", number=case.number))


def _case_page(case: Case, *, rating_form: RatingForm | None = None, reopen_form: ReopenForm | None = None,
               status: int = 200):
    now = utcnow()
    return render_template(
        "citizen/case.html", case=case, reply=mask_text(case.reply), timeline=citizen_timeline(case),
        rating=current_rating(case),
        may_reopen=may_reopen(case, now=now), reopen_deadline=reopen_deadline(case), now=now,
        rating_form=rating_form or RatingForm(), reopen_form=reopen_form or ReopenForm(),
    ), status


def _ask_for_code():
    flash(_("Enter the case number and the private code to see the case."), "error")
    return redirect(url_for("citizen.track"))


@bp.route("/track/<number>")
def case(number: str):
    found = _tracked_case(number)
    return _ask_for_code() if found is None else _case_page(found)


def _act_on_tracked_case(number: str, form, form_name: str, act):
    """Validate `form`, count the attempt, and let `act(case, form, now)` do the work and return what to flash."""
    found = _tracked_case(number)
    if found is None:
        return _ask_for_code()
    if not form.validate_on_submit():
        return _case_page(found, status=422, **{form_name: form})
    now = utcnow()
    try:
        check_rate_limit("citizen_form", client_address(), now=now)
        message = act(found, form, now)
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return _case_page(found, status=error.status, **{form_name: form})
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("citizen.case", number=number))


@bp.route("/track/<number>/rating", methods=["POST"])
def rate(number: str):
    def act(case: Case, form: RatingForm, now) -> str:
        rating = rate_case(case, score=int(form.score.data), comment=(form.comment.data or "").strip(), now=now)
        return _("Thank you for rating the answer.") if rating.satisfied else \
            _("Thank you. We are sorry the answer did not help: you can reopen the case below.")

    return _act_on_tracked_case(number, RatingForm(), "rating_form", act)


@bp.route("/track/<number>/reopen", methods=["POST"])
def reopen(number: str):
    def act(case: Case, form: ReopenForm, now) -> str:
        reopen_by_citizen(case, reason=form.reason.data.strip(), now=now)
        agency = case.agency.name(str(get_locale())) if case.agency else _("the city")
        return _("The case has been reopened and sent back to %(agency)s.", agency=agency)

    return _act_on_tracked_case(number, ReopenForm(), "reopen_form", act)
