"""Forms of the SLA pages: policies, calendar exceptions, and the deadline preview."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms import TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casehub.forms import optional_int, plausible_year

CLOCK_CHOICES = [SelectChoice("hours", _l("Clock hours, around the clock")),
                 SelectChoice("working_days", _l("Working days (Taiwan's calendar)"))]
EXCEPTION_KIND_CHOICES = [SelectChoice("closure", _l("Closure (typhoon day or other declared closure)")),
                          SelectChoice("working_day", _l("Extra working day"))]


class PolicyForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=150)])
    clock = SelectField(_l("Clock"), choices=CLOCK_CHOICES)
    resolution_target = IntegerField(_l("Resolution target"), validators=[Optional()],
                                     description=_l("Hours on the hour clock, working days on the working-day clock."))
    first_response_minutes = IntegerField(_l("First response within (minutes)"), validators=[Optional()],
                                          description=_l("Office minutes on the working-day clock."))
    reminder_thresholds = StringField(
        _l("Reminders"), description=_l("Hour clock: fractions of the time, e.g. 0.5, 0.8. "
                                        "Working days: working days before the deadline, e.g. 1."))
    escalation_cycle = IntegerField(_l("Escalation cycle"), validators=[Optional()],
                                    description=_l("After the deadline the managers are told every cycle: "
                                                   "hours or working days, as the clock counts."))
    max_total_working_days = IntegerField(_l("Longest deadline with extensions (working days)"),
                                          validators=[Optional()], default=30)
    active = BooleanField(_l("Active"), default=True)


class PolicyCreateForm(PolicyForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)])


class DeadlinePreviewForm(FlaskForm):
    """Read from the query string: which category, received when (a GET changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=optional_int)
    received_at = DateTimeLocalField(_l("Received at"), format="%Y-%m-%dT%H:%M",
                                     validators=[Optional(), plausible_year])


class CalendarExceptionForm(FlaskForm):
    # InputRequired, not DataRequired: an impossible date keeps its own message ("Not a valid date value.").
    day = DateField(_l("Day"), validators=[InputRequired(), plausible_year])
    kind = SelectField(_l("Kind"), choices=EXCEPTION_KIND_CHOICES)
    closed_from = TimeField(_l("Closed from"), validators=[Optional()],
                            description=_l("For a partial closure only, e.g. 12:00 to 17:30; empty: the whole day."))
    closed_until = TimeField(_l("Closed until"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)],
                         description=_l("E.g. 颱風停止上班 (typhoon: offices closed)."))
