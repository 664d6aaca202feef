"""Notification pages: the bell and its alerts, the demo's sent mail, failed messages (admin), the managers'
digest choice; and the helpers every page uses (unread count, a case's messages)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casehub.auth.access import roles_required
from casehub.auth.models import Role
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.forms import show_domain_error
from casehub.masking import mask_email, mask_phone, mask_secret, mask_text
from casehub.notify import subscriptions  # noqa: F401 (turns case events into outbox rows)
from casehub.notify.delivery import wants_escalation_digest
from casehub.notify.forms import EscalationDigestForm, ResendForm
from casehub.notify.models import LocalMail, OutboxChannel, OutboxMessage, OutboxStatus
from casehub.notify.services import (case_messages, failed_messages, local_mail, mark_alerts_read, resend_message,
                                     set_escalation_digest, unread_alert_count, user_alerts)
from casehub.pagination import paginate, requested_page

bp = Blueprint("notify", __name__, url_prefix="/notify")

STAFF = tuple(Role)
MESSAGE_LABELS = {
    "case_received": _l("Citizen: case received"), "case_accepted": _l("Citizen: case accepted"),
    "case_info_requested": _l("Citizen: information requested"), "case_resolved": _l("Citizen: reply"),
    "case_reopened": _l("Citizen: case reopened"), "agency_new_case": _l("Agency: new case"),
    "agency_case_reopened": _l("Agency: case reopened"), "agency_case_transferred": _l("Agency: case reassigned"),
    "agency_extension_decided": _l("Agency: extension decision"), "sla_reminder": _l("Deadline reminder"),
    "sla_first_response_overdue": _l("Not accepted in time"), "sla_overdue_supervisor": _l("Overdue: supervisors"),
    "sla_reassignment_overdue": _l("Reassignment overdue"), "sla_escalation_manager": _l("Escalation: managers"),
    "digest": _l("Digest"),
}
STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Pending"), OutboxStatus.SENT: _l("Sent"), OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.HELD: _l("Held for a digest"), OutboxStatus.DIGESTED: _l("Sent in a digest"),
}
CHANNEL_LABELS = {OutboxChannel.EMAIL: _l("E-mail"), OutboxChannel.SMS: _l("SMS"), OutboxChannel.IN_APP: _l("In-app")}


def _masked_address(channel: OutboxChannel, recipient: str) -> str:
    if channel is OutboxChannel.EMAIL:
        return mask_email(recipient)
    return mask_phone(recipient) if channel is OutboxChannel.SMS else recipient


def masked_recipient(message: OutboxMessage) -> str:
    """Addresses are personal data: shown masked, as everywhere outside the logged full view."""
    return _masked_address(message.channel, message.recipient)


def masked_message_text(message: OutboxMessage, text: str | None) -> str | None:
    """What a message said, for staff: the citizen's tracking code and any personal data masked."""
    return mask_text(mask_secret(text, message.payload.get("tracking_code")))


def masked_mail(mail: LocalMail) -> dict:
    """A locally kept message as staff may read it: the tracking code only ever reaches the citizen."""
    return {"recipient": _masked_address(mail.channel, mail.recipient),
            "subject": masked_message_text(mail.message, mail.subject),
            "body": masked_message_text(mail.message, mail.body)}


@bp.app_context_processor
def notification_helpers() -> dict:
    return {
        "unread_alert_count": lambda: unread_alert_count(current_user), "case_messages": case_messages,
        "message_label": lambda template: str(MESSAGE_LABELS.get(template, template)),
        "outbox_status_label": lambda status: str(STATUS_LABELS[status]),
        "outbox_channel_label": lambda channel: str(CHANNEL_LABELS[channel]),
        "masked_recipient": masked_recipient,
        "masked_error": lambda message: masked_message_text(message, message.last_error),
    }


@bp.route("/alerts")
@roles_required(*STAFF)
def alerts():
    return render_template("notify/alerts.html", page=paginate(user_alerts(current_user), requested_page()),
                           digest_wanted=wants_escalation_digest(current_user.id))


@bp.route("/alerts/read", methods=["POST"])
@roles_required(*STAFF)
def read_alerts():
    alert_id = request.form.get("alert_id", type=int)
    mark_alerts_read(current_user, alert_id=alert_id)
    db.session.commit()
    return redirect(url_for("notify.alerts"))


@bp.route("/preferences", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def preferences():
    form = EscalationDigestForm(data={"escalation_digest": wants_escalation_digest(current_user.id)})
    if form.validate_on_submit():
        set_escalation_digest(current_user, form.escalation_digest.data)
        db.session.commit()
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("notify.alerts"))
    return render_template("notify/preferences.html", form=form)


@bp.route("/sent")
@roles_required(*STAFF)
def sent():
    return render_template("notify/sent.html", page=paginate(local_mail(current_user), requested_page()),
                           masked_mail=masked_mail)


def _failed_page(forms: dict | None = None, status: int = 200):
    page = paginate(failed_messages(), requested_page())
    forms = {message.id: (forms or {}).get(message.id) or ResendForm(prefix=f"m{message.id}", formdata=None)
             for message in page.items}
    return render_template("notify/failed.html", page=page, forms=forms), status


@bp.route("/failed")
@roles_required(Role.ADMIN)
def failed():
    return _failed_page()


@bp.route("/messages/<int:message_id>/resend", methods=["POST"])
@roles_required(Role.ADMIN)
def resend(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    form = ResendForm(prefix=f"m{message_id}")
    if form.validate_on_submit():
        try:
            resend_message(message, actor=current_user, recipient=form.recipient.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The message is queued to be sent again."), "success")
            return redirect(url_for("notify.failed"))
    if form.form_errors:  # no field to show the refusal beside (the message is no longer failed, say)
        flash(_("The message was not sent again: %(problems)s", problems=" ".join(form.form_errors)), "error")
        return redirect(url_for("notify.failed"))
    return _failed_page({message_id: form}, status=422)
