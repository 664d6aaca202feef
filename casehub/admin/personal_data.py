"""The log of personal-data views, for managers and admins: who saw a reporter in full, when, which case, and
through which page or API; filtered, paginated and exported as CSV (the export itself is audited)."""
from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from casehub.admin.forms import ALL, FilterForm, none_if_blank
from casehub.audit.services import record_audit
from casehub.auth.access import roles_required
from casehub.auth.models import Role
from casehub.cases.privacy import CASE_API, CASE_PAGE, personal_data_views, viewers
from casehub.extensions import db
from casehub.forms import optional_int, plausible_year
from casehub.models import city_zone, utcnow
from casehub.pagination import paginate, requested_page
from casehub.reports.exports import FORMATS, Document, Table, to_csv

bp = Blueprint("personal_data", __name__, url_prefix="/admin/personal-data-views")

CONTEXT_LABELS = {CASE_PAGE: _l("Case page"), CASE_API: _l("JSON API (include=reporter)")}


class PersonalDataViewFilterForm(FilterForm):
    user_id = SelectField(_l("Who"), coerce=optional_int)
    case_number = StringField(_l("Case number"), validators=[Optional(), Length(max=20), Regexp(r"^[0-9A-Za-z-]+$")],
                              filters=[none_if_blank])
    context = SelectField(_l("Through"), choices=[ALL, *(SelectChoice(value, label)
                                                        for value, label in CONTEXT_LABELS.items())])
    from_day = DateField(_l("From"), validators=[Optional(), plausible_year])
    to_day = DateField(_l("To"), validators=[Optional(), plausible_year])


def _described_filters(form: PersonalDataViewFilterForm, filters: dict) -> list[tuple[str, str]]:
    """The filters in use, as (label, value) rows for the top of the export."""
    users = {choice.value: choice.label for choice in form.user_id.choices}
    shown = {"user_id": lambda value: users.get(value, value), "context": context_label}
    return [(str(form[name].label.text), str(shown.get(name, str)(value)))
            for name, value in filters.items() if value is not None]


def _filter_form() -> tuple[PersonalDataViewFilterForm, dict]:
    """The filters of the query string; one that fails validation (a hand-edited URL) counts as no filter."""
    form = PersonalDataViewFilterForm(request.args)
    form.user_id.choices = [ALL] + [SelectChoice(user.id, f"{user.display_name} ({user.username})")
                                    for user in viewers()]
    form.validate()
    return form, {name: None if field.errors else field.data or None for name, field in form._fields.items()}


def context_label(context: str) -> str:
    return str(CONTEXT_LABELS.get(context, context))


@bp.route("/")
@roles_required(Role.MANAGER, Role.ADMIN)
def index():
    form, filters = _filter_form()
    page = paginate(personal_data_views(**filters), requested_page())
    return render_template("admin/personal_data_views.html", form=form, page=page, context_label=context_label)


@bp.route("/export.csv")
@roles_required(Role.MANAGER, Role.ADMIN)
def export():
    form, filters = _filter_form()
    zone = city_zone()
    views = db.session.scalars(personal_data_views(**filters)).all()
    table = Table(_("Personal-data views"), [_("When"), _("Who"), _("Username"), _("Role"), _("Case"), _("Through")],
                  [[view.at.astimezone(zone), view.user.display_name, view.user.username, view.user.role.value,
                    view.case.number, context_label(view.context)] for view in views])
    described = _described_filters(form, filters)
    exported_at = utcnow()
    document = Document(_("Personal-data views"),
                        [*described, (_("Exported at"), exported_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))],
                        [table])
    # Who took the log away, and what of it, is itself on the record.
    record_audit(actor=current_user, action="export_personal_data_views", entity_type="personal_data_views",
                 entity_id=None, after={"filters": dict(described), "rows": len(views)}, now=exported_at)
    db.session.commit()
    return Response(to_csv(document), mimetype=FORMATS["csv"],
                    headers={"Content-Disposition": 'attachment; filename="personal-data-views.csv"'})
