"""The administration forms. Choices that come from the database are filled in by the views."""
import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, PasswordField, SearchField, SelectChoice, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp

from casehub.directory.models import AgencyKind, Open311Type
from casehub.directory.schemas import OPEN311_DATATYPES
from casehub.forms import optional_int, plausible_year
from casehub.labels import LABELS, ROLE_LABELS

ROLE_CHOICES = [SelectChoice(value, label) for value, label in ROLE_LABELS.items()]
LOCALE_CHOICES = [SelectChoice("", _l("Not set (the browser decides)")), SelectChoice("zh_TW", "中文"),
                  SelectChoice("en", "English")]
AGENCY_KIND_LABELS = {
    AgencyKind.BUREAU: _l("Bureau"), AgencyKind.UNIT: _l("Unit"),
    AgencyKind.DISTRICT_OFFICE: _l("District office"), AgencyKind.DISPATCH_CENTER: _l("Dispatch centre"),
}
CASE_KIND_LABELS = LABELS["kind"]
ALL = SelectChoice("", _l("All"))
ACTIVE_CHOICES = [ALL, SelectChoice("active", _l("Active")), SelectChoice("inactive", _l("Deactivated"))]
CODE_PATTERN = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message=_l("Letters, digits, '_', '.' and '-' only."))


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value):
    """Optional text fields store NULL, not an empty string."""
    return stripped(value) or None


class FilterForm(FlaskForm):
    """A list page's filters: read from the query string, no CSRF token (a GET changes nothing)."""

    class Meta:
        csrf = False


class CommaSeparatedField(StringField):
    """A list of words typed as "a, b, c" (the full-width comma and 、 work too)."""

    def _value(self):
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        for separator in ("，", "、"):
            text = text.replace(separator, ",")
        self.data = [word.strip() for word in text.split(",") if word.strip()]


class JSONListField(TextAreaField):
    """A JSON list typed into a text area; malformed JSON is refused beside the field."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return json.dumps(self.data or [], ensure_ascii=False, indent=2)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip() or "[]"
        try:
            self.data = json.loads(text)
        except json.JSONDecodeError as error:
            self.data = None
            raise ValueError(_l("Not valid JSON (line %(line)s, column %(column)s).",
                                line=error.lineno, column=error.colno)) from error


# Users ---------------------------------------------------------------------------------------

class UserFilterForm(FilterForm):
    q = SearchField(_l("Username or name"))
    role = SelectField(_l("Role"), choices=[ALL, *ROLE_CHOICES])
    agency = SelectField(_l("Agency"), coerce=optional_int)
    status = SelectField(_l("Status"), choices=ACTIVE_CHOICES)


class UserForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)],
                               filters=[stripped])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)], filters=[none_if_blank])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)], filters=[none_if_blank])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    agency = SelectField(_l("Agency"), coerce=optional_int,
                         description=_l("Required for agency staff and supervisors."))
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)


class PasswordForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             description=_l("At least 10 characters, not the username, not a common password."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class UserCreateForm(UserForm, PasswordForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), CODE_PATTERN],
                           filters=[stripped])


# Agencies ------------------------------------------------------------------------------------

class AgencyForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)], filters=[stripped])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=150)], filters=[stripped])
    kind = SelectField(_l("Kind"), choices=_choices(AGENCY_KIND_LABELS))
    parent = SelectField(_l("Parent agency"), coerce=optional_int)
    email = StringField(_l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)],
                        filters=[none_if_blank], description=_l("Where case notifications are sent."))
    sms_number = StringField(_l("SMS number"), filters=[none_if_blank],
                             validators=[Optional(), Length(max=32),
                                         Regexp(r"^\+?[0-9][0-9 -]*$", message=_l("Digits only, e.g. 0912345678."))],
                             description=_l("Hazard dispatches are also sent here by SMS."))


class AgencyCreateForm(AgencyForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE_PATTERN], filters=[stripped],
                       description=_l("A short unique code, e.g. PWB-MAINT; it cannot be changed later."))


# Categories ----------------------------------------------------------------------------------

class CategoryFilterForm(FilterForm):
    q = SearchField(_l("Code or name"))
    kind = SelectField(_l("Kind"), choices=[ALL, *_choices(CASE_KIND_LABELS)])
    status = SelectField(_l("Status"), choices=ACTIVE_CHOICES)


class CategoryForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)], filters=[stripped])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=150)], filters=[stripped])
    kind = SelectField(_l("Kind"), choices=_choices(CASE_KIND_LABELS))
    default_agency = SelectField(_l("Default agency"), coerce=optional_int,
                                 description=_l("Receives the cases no routing rule sends elsewhere."))
    sla_policy = SelectField(_l("SLA policy"), coerce=optional_int)
    is_public = BooleanField(_l("Public (offered to citizens and apps as an Open311 service)"))
    group = StringField(_l("Group"), validators=[Optional(), Length(max=100)], filters=[none_if_blank])
    keywords = CommaSeparatedField(_l("Keywords"), description=_l("Comma-separated; help operators find it."))
    sort_order = IntegerField(_l("Order in the operator's picker"), default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=100000)])
    description = TextAreaField(_l("Description"), filters=[none_if_blank])
    open311_type = SelectField(_l("Open311 type"), choices=[SelectChoice(item.value) for item in Open311Type])
    open311_attributes = JSONListField(
        _l("Open311 attributes"), render_kw={"rows": 8, "spellcheck": "false"},
        description=_l('Questions an app asks, as a JSON list, e.g. [{"code": "lane", "datatype": '
                       '"singlevaluelist", "required": true, "description": "Which lane?", "order": 1, '
                       '"values": [{"key": "left", "name": "Left"}]}]. Datatypes: %(types)s.',
                       types=", ".join(OPEN311_DATATYPES)))


class CategoryCreateForm(CategoryForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64), CODE_PATTERN], filters=[stripped],
                       description=_l("The Open311 service code, e.g. street_light; it cannot be changed later."))


# API keys and audit --------------------------------------------------------------------------

class ApiKeyForm(FlaskForm):
    name = StringField(_l("Application"), validators=[DataRequired(), Length(max=100)], filters=[stripped])


class AuditFilterForm(FilterForm):
    actor_id = SelectField(_l("Who"), coerce=optional_int)
    entity_type = SelectField(_l("What"))
    action = SelectField(_l("Action"))
    from_day = DateField(_l("From"), validators=[Optional(), plausible_year])
    to_day = DateField(_l("To"), validators=[Optional(), plausible_year])
