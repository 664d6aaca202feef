"""Forms of the routing-rule pages. Choices that come from the database are filled in by the views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casehub.forms import optional_int


class RuleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("Shown to staff as the reason a case went to this agency."))
    category_id = SelectField(_l("Category"), coerce=optional_int)
    district_id = SelectField(_l("District"), coerce=optional_int)
    keyword = StringField(_l("Keyword in the description"), validators=[Optional(), Length(max=100)])
    attribute_name = StringField(_l("Attribute"), validators=[Optional(), Length(max=64)],
                                 description=_l("An asset attribute the case records, e.g. road_width or owner."))
    attribute_value = StringField(_l("Attribute value"), validators=[Optional(), Length(max=200)])
    # Offered as a list, checked by the service: an unknown or deactivated agency gets a clear message.
    agency = SelectField(_l("Agency"), validate_choice=False)


class RoutingPreviewForm(FlaskForm):
    """Read from the query string: the case to route (a GET changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=optional_int)
    district = SelectField(_l("District"), coerce=optional_int)
    description = TextAreaField(_l("Description"))
    attribute_name = StringField(_l("Attribute"))
    attribute_value = StringField(_l("Attribute value"))
