"""The citizen's forms: the mayor's mailbox, the tracking look-up, the rating and the reopening."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

REPLY_CHOICES = [SelectChoice("email", _l("By e-mail")), SelectChoice("sms", _l("By text message (SMS)")),
                 SelectChoice("phone", _l("By phone")), SelectChoice("none", _l("No answer needed"))]
SCORE_CHOICES = [SelectChoice("5", _l("5 – very satisfied")), SelectChoice("4", _l("4 – satisfied")),
                 SelectChoice("3", _l("3 – neither satisfied nor unsatisfied")),
                 SelectChoice("2", _l("2 – unsatisfied")), SelectChoice("1", _l("1 – very unsatisfied"))]


class MailboxForm(FlaskForm):
    category = SelectField(_l("What is it about?"), validators=[DataRequired()])
    description = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=4000)])
    address = StringField(_l("Where? (address or landmark)"), validators=[Optional(), Length(max=300)])
    district = SelectField(_l("District"), validators=[Optional()])
    lat = HiddenField()
    lng = HiddenField()
    photos = MultipleFileField(_l("Photos or PDF (optional)"),
                               description=_l("JPEG, PNG, GIF, WebP or PDF, up to 10 MB each."))
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    contact_preference = RadioField(_l("How should we answer you?"), choices=REPLY_CHOICES, default="email")
    consent = BooleanField(_l("I agree that the city government collects, processes and uses the personal data "
                              "above to handle and answer this case."),
                           validators=[DataRequired(_l("Please agree, or call 1999 to report anonymously."))])


class TrackForm(FlaskForm):
    number = StringField(_l("Case number"), validators=[DataRequired(), Length(max=20)],
                         description=_l("For example 20261126-000042"))
    code = StringField(_l("Private code"), validators=[DataRequired(), Length(max=32)],
                       description=_l("The code you were given when the case was filed."))


class RatingForm(FlaskForm):
    score = RadioField(_l("How satisfied are you with the answer?"), choices=SCORE_CHOICES,
                       validators=[DataRequired()])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Why was the problem not solved?"), validators=[DataRequired(), Length(max=2000)])
