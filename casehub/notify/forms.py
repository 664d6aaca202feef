"""The forms of the notification pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional


class ResendForm(FlaskForm):
    recipient = StringField(_l("Send to"), validators=[Optional(), Length(max=254)],
                            description=_l("A corrected e-mail address or phone number; empty: the same address."))


class EscalationDigestForm(FlaskForm):
    escalation_digest = BooleanField(_l("Send me level-2 escalations as one daily digest"),
                                     description=_l("One message at the next office opening instead of one per case."))
