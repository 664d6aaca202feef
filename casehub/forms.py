"""Helpers shared by staff forms: running a posted form through a service, the generic form page, the
deactivate/reactivate buttons, optional select values, and WTForms' own messages in the page's language."""
from collections.abc import Callable
from functools import cache

from babel import support
from flask import flash, redirect, render_template, request
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import ValidationError
from wtforms.i18n import messages_path

from casehub.errors import DomainError
from casehub.extensions import db
from casehub.inputs import BAD_YEAR, FIRST_YEAR, LAST_YEAR


def optional_int(value) -> int | None:
    """Coerce a select's value to an id; the empty choice means none."""
    if value in (None, "", "None"):
        return None
    return int(value)


def plausible_year(_form, field) -> None:
    """WTForms validator for date and date-time fields: years 1900-2100 only, as the API's date fields."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(gettext(BAD_YEAR))


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal beside the fields it names, translated; what names no field goes above the form."""
    for name, messages in (error.fields or {}).items():
        translated = [gettext(message) for message in messages]
        field = form._fields.get(name)
        if field is None:
            form.form_errors.extend(translated)
        else:
            field.errors = [*field.errors, *translated]
    if not error.fields:
        form.form_errors.append(gettext(error.message))


def submit_form(form: FlaskForm, save: Callable[[], object]) -> bool:
    """Validate the posted form, run `save` and commit; a refusal goes beside the fields and saves nothing."""
    if not form.validate_on_submit():
        return False
    try:
        save()
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return False
    db.session.commit()
    return True


def form_page(form: FlaskForm, fields: list[str], *, title: str, back: str, template: str = "admin/form.html",
              **context):
    """Render a form page (by default the generic one: `fields` in order, a back link); a refused POST answers 422
    so scripts and tests see the refusal."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, fields=fields, title=title, back=back, **context), status


def set_active_from_form(obj, set_active: Callable, next_url: str, **service_options):
    """The deactivate/reactivate buttons: `set_active(obj, active, actor=..., **service_options)`, report, go back."""
    active = request.form.get("active") == "1"
    try:
        set_active(obj, active, actor=current_user, **service_options)
    except DomainError as error:
        db.session.rollback()
        flash(gettext(error.message), "error")
    else:
        db.session.commit()
        flash(gettext("Reactivated.") if active else gettext("Deactivated."), "info")
    return redirect(next_url)


def load_validator_messages() -> None:
    """Before each request: WTForms' built-in messages ("This field is required.") in the page's language.

    Flask-WTF looks WTForms' catalogue up under Babel's name for our locale, zh_Hant_TW, which WTForms does not
    have, and falls back to Simplified Chinese (zh); WTForms names Taiwan's catalogue zh_TW. Flask-WTF uses a
    catalogue already on the request, so we put the right one there.
    """
    locale = get_locale()
    name = f"{locale.language}_{locale.territory}" if locale.territory else locale.language
    request.wtforms_translations = _wtforms_catalogue(name)


@cache
def _wtforms_catalogue(name: str) -> support.Translations:
    # Read once a process: reading the file on every request cost a millisecond each.
    return support.Translations.load(messages_path(), [name], domain="wtforms")
