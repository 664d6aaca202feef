"""Who is told what when a case changes, and the outbox's other verbs: resending, alerts, preferences.

Messages are written as outbox rows in the transaction of the change that causes them (see
casehub.notify.subscriptions, casehub.notify.outbox); casehub.notify.delivery delivers them after the commit.

- The citizen (unless anonymous, or asking for a letter or no answer): case received with its
  number and tracking code (notify_case_received, called by intake), accepted, more information
  asked for, resolved with the agency's reply (every further reporter of a merged or duplicate
  report too), reopened. By e-mail, or by SMS to a mobile number.
- The agency: a new case (assigned, reassigned) or a reopened one by e-mail, hazards by SMS and
  e-mail at once; its staff and supervisors get an in-app alert. A transfer decision tells the
  agency that gave the case up; extension decisions go to the agency.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app
from marshmallow import ValidationError, validate

from casehub.audit.services import record_audit
from casehub.auth.access import scope_to_agency
from casehub.auth.models import Role, User
from casehub.cases.models import Case, CaseEvent, CaseReporter, CaseStatus, ContactPreference
from casehub.directory.models import Agency
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.models import utcnow
from casehub.notify.delivery import enqueue_delivery
from casehub.notify.models import Alert, LocalMail, NotificationPreference, OutboxChannel, OutboxMessage, OutboxStatus
from casehub.notify.outbox import add_to_outbox, outbox_messages
from casehub.notify.rendering import message_language
from casehub.phones import NotAPhoneNumber, normalize_phone
from casehub.sla.models import SlaClock

# Event type -> (template, the event details the message quotes).
CITIZEN_MESSAGES = {
    "accepted": ("case_accepted", ()),
    "info_requested": ("case_info_requested", ("message",)),
    "resolved": ("case_resolved", ("reply",)),
    "reopened": ("case_reopened", ("reason",)),
}
AGENCY_CASE_MESSAGES = {
    "assigned": ("agency_new_case", ()),
    "reassigned": ("agency_new_case", ()),
    "reopened": ("agency_case_reopened", ("reason", "reopened_count")),
}
EXTENSION_DECISIONS = ("extension_approved", "extension_rejected")
AGENCY_ROLES = (Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR)
MOBILE_NUMBER = re.compile(r"09\d{8}")


@dataclass(frozen=True)
class Contact:
    """One address a message goes to; `key` names the person or mailbox in the de-duplication key."""

    key: str
    channel: OutboxChannel
    address: str
    language: str
    user_id: int | None = None


def city_language() -> str:
    """The language of messages to citizens and agency mailboxes: the city's first language."""
    return message_language(current_app.config["BABEL_DEFAULT_LOCALE"])


def is_hazard(case: Case) -> bool:
    """Hazards run on the four-hour clock; they go out at once, by SMS too, and skip every limit."""
    policy = case.sla_policy or case.category.sla_policy
    return policy is not None and policy.clock is SlaClock.HOURS


def _citizen_contact(key: str, *, anonymous: bool, preference: ContactPreference, email: str | None,
                     phone: str | None) -> Contact | None:
    if anonymous:
        return None
    if preference is ContactPreference.EMAIL and email:
        return Contact(key, OutboxChannel.EMAIL, email, city_language())
    # "Answer by phone" is the agency's call to make; a text goes only to a mobile number.
    if phone and (preference is ContactPreference.SMS
                  or (preference is ContactPreference.PHONE and MOBILE_NUMBER.fullmatch(phone))):
        return Contact(key, OutboxChannel.SMS, phone, city_language())
    return None  # a letter, or no answer wanted


def citizen_contacts(case: Case, *, with_further_reporters: bool) -> list[Contact]:
    """The reporter's address, and those of further reporters (duplicates, merged cases); each address once."""
    contacts = [_citizen_contact("citizen", anonymous=case.reporter_anonymous, email=case.reporter_email,
                                 preference=ContactPreference(case.contact_preference), phone=case.reporter_phone)]
    if with_further_reporters and case.id is not None:
        reporters = db.session.scalars(sa.select(CaseReporter).where(CaseReporter.case_id == case.id)
                                       .order_by(CaseReporter.id))
        contacts += [_citizen_contact(f"reporter{reporter.id}", anonymous=reporter.anonymous, email=reporter.email,
                                      preference=ContactPreference(reporter.contact_preference),
                                      phone=reporter.phone) for reporter in reporters]
    unique = {}
    for contact in contacts:
        if contact is not None:
            unique.setdefault((contact.channel, contact.address), contact)
    return list(unique.values())


def agency_contacts(agency: Agency | None, *, hazard: bool) -> list[Contact]:
    """The agency's mailbox; for a hazard its SMS number too."""
    if agency is None:
        return []
    contacts = [Contact(f"agency{agency.id}", OutboxChannel.EMAIL, agency.email, city_language())] \
        if agency.email else []
    if hazard and agency.sms_number:
        contacts.append(Contact(f"agency{agency.id}", OutboxChannel.SMS, agency.sms_number, city_language()))
    return contacts


def agency_staff_contacts(agency: Agency | None) -> list[Contact]:
    """An in-app alert for each active staff member and supervisor of the agency."""
    if agency is None:
        return []
    users = db.session.scalars(sa.select(User).where(User.agency_id == agency.id, User.role.in_(AGENCY_ROLES),
                                                     User.active).order_by(User.id))
    return [Contact(f"user{user.id}", OutboxChannel.IN_APP, user.username, message_language(user.locale), user.id)
            for user in users]


def case_payload(case: Case, language: str) -> dict:
    """What every message about a case may quote."""
    return {"case_number": case.number, "category": case.category.name(language),
            "received_at": case.received_at.isoformat(),
            "agency": case.agency.name(language) if case.agency else ""}


def agency_case_payload(case: Case, language: str) -> dict:
    """What an agency needs to act on a case, without the reporter's personal data (that is on the case page)."""
    policy = case.sla_policy or case.category.sla_policy
    return case_payload(case, language) | {
        "description": case.description, "address": case.address or "",
        "district": case.district.name(language) if case.district else "",
        "hazard": is_hazard(case), "policy": policy.name(language) if policy else "",
    }


def _quoted(event: CaseEvent, names: tuple[str, ...]) -> dict:
    # A detail the lifecycle did not record stays out: the template then fails the delivery visibly.
    return {name: event.details[name] for name in names if name in event.details}


def new_message(case: Case, occasion: str, contact: Contact, template: str, payload: dict, *, now: datetime,
                urgent: bool = False) -> dict:
    """An outbox row about `case` (column values for add_to_outbox), unique per (case, occasion, person, channel)."""
    return {
        "dedup_key": f"case:{case.number}:{occasion}:{contact.key}:{contact.channel}", "channel": contact.channel,
        "recipient": contact.address, "template": template, "language": contact.language, "payload": payload,
        "urgent": urgent and contact.channel is not OutboxChannel.IN_APP, "case_id": case.id,
        "user_id": contact.user_id, "next_attempt_at": now, "created_at": now,
    }


def messages_for_event(event: CaseEvent) -> list[dict]:
    """The outbox rows a new case event calls for (none for most events); the event and its case are flushed."""
    case = event.case or db.session.get(Case, event.case_id)
    occasion = f"{event.type}:{event.at.astimezone(timezone.utc):%Y%m%dT%H%M%S%f}"
    messages = []

    def add(contacts: list[Contact], template: str, payload_for, urgent: bool = False) -> None:
        messages.extend(new_message(case, occasion, contact, template, payload_for(contact.language),
                                    now=event.at, urgent=urgent) for contact in contacts)

    if event.type in CITIZEN_MESSAGES:
        template, quoted = CITIZEN_MESSAGES[event.type]
        add(citizen_contacts(case, with_further_reporters=event.type == "resolved"), template,
            lambda language: case_payload(case, language) | _quoted(event, quoted))
    if event.type in AGENCY_CASE_MESSAGES:
        template, quoted = AGENCY_CASE_MESSAGES[event.type]
        hazard = is_hazard(case)
        add(agency_contacts(case.agency, hazard=hazard) + agency_staff_contacts(case.agency), template,
            lambda language: agency_case_payload(case, language) | _quoted(event, quoted), urgent=hazard)
    if event.type == "reassigned" and event.details.get("from_agency"):
        previous = db.session.scalar(sa.select(Agency).where(Agency.code == event.details["from_agency"]))
        add(agency_contacts(previous, hazard=False), "agency_case_transferred",
            lambda language: case_payload(case, language) | {
                "requested": event.from_status is CaseStatus.TRANSFER_REQUESTED})
    if event.type in EXTENSION_DECISIONS:
        add(agency_contacts(case.agency, hazard=False), "agency_extension_decided",
            lambda language: case_payload(case, language) | _quoted(event, ("days", "reason", "note"))
            | {"approved": event.type == "extension_approved"})
    return messages


def notify_case_received(case: Case, tracking_code: str, *, now: datetime | None = None) -> list[OutboxMessage]:
    """Tell the citizen the case number and the private tracking code. Call right after open_case, in its
    transaction: the code exists in plain text only then. Safe to call twice."""
    now = now or utcnow()
    db.session.flush()  # the rows name the case by its id
    written = add_to_outbox([
        new_message(case, "received", contact, "case_received",
                    case_payload(case, contact.language) | {"tracking_code": tracking_code}, now=now)
        for contact in citizen_contacts(case, with_further_reporters=False)
    ])
    return outbox_messages(written.values())


def _checked_address(channel: OutboxChannel, address: str) -> str:
    """A corrected address, normalised; refused with a clear message when it cannot be one."""
    if channel is OutboxChannel.IN_APP:
        raise DomainError("validation_failed", "Some fields are invalid.", status=422,
                          fields={"recipient": [N_("An in-app alert goes to its user; leave this empty.")]})
    try:  # the same rules as intake's
        if channel is OutboxChannel.EMAIL:
            return validate.Email()(address)
        return normalize_phone(address)
    except (ValidationError, NotAPhoneNumber):
        problem = N_("Not a valid e-mail address.") if channel is OutboxChannel.EMAIL \
            else N_("Not a valid phone number.")
        raise DomainError("validation_failed", "Some fields are invalid.", status=422,
                          fields={"recipient": [problem]}) from None


def resend_message(message: OutboxMessage, *, actor: User, recipient: str | None = None,
                   now: datetime | None = None) -> OutboxMessage:
    """Try a failed message again, to a corrected address when one is given; audited, delivered after commit."""
    now = now or utcnow()
    if message.status is not OutboxStatus.FAILED:
        raise DomainError("not_failed", N_("Only a failed message can be sent again."), status=409)
    before = {"status": message.status.value, "recipient": message.recipient}
    if recipient:
        message.recipient = _checked_address(message.channel, recipient.strip())
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, now
    record_audit(actor=actor, action="resend_message", entity_type="outbox_message", entity_id=message.id,
                 before=before, after={"status": message.status.value, "recipient": message.recipient}, now=now)
    enqueue_delivery(message.id, message.urgent)
    return message


def case_messages(case: Case) -> list[OutboxMessage]:
    """Every message about the case, newest first (the case page shows them, failures first of all)."""
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                                   .order_by(OutboxMessage.id.desc())))


def failed_messages() -> sa.Select:
    """Messages that could not be delivered, newest first."""
    return sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED) \
        .order_by(OutboxMessage.id.desc())


def local_mail(user: User) -> sa.Select:
    """The messages the demo kept locally, newest first; agency staff see those about their agency's cases."""
    stmt = sa.select(LocalMail).join(OutboxMessage, LocalMail.message_id == OutboxMessage.id) \
        .outerjoin(Case, OutboxMessage.case_id == Case.id).order_by(LocalMail.id.desc())
    return scope_to_agency(stmt, user, Case.agency_id)


def user_alerts(user: User) -> sa.Select:
    """The user's in-app alerts, unread first, newest first."""
    return sa.select(Alert).where(Alert.user_id == user.id) \
        .order_by(Alert.read_at.is_not(None), Alert.id.desc())


def unread_alert_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(Alert.id)).where(Alert.user_id == user.id,
                                                                      Alert.read_at.is_(None)))


def mark_alerts_read(user: User, *, alert_id: int | None = None, now: datetime | None = None) -> int:
    """Mark one of the user's alerts read, or all of them; returns how many changed."""
    stmt = sa.update(Alert).where(Alert.user_id == user.id, Alert.read_at.is_(None))
    if alert_id is not None:
        stmt = stmt.where(Alert.id == alert_id)
    return db.session.execute(stmt.values(read_at=now or utcnow())
                              .execution_options(synchronize_session=False)).rowcount


def set_escalation_digest(user: User, wanted: bool, *, now: datetime | None = None) -> NotificationPreference:
    """A manager's choice: level-2 escalations one by one, or in one daily digest at the office opening."""
    if user.role is not Role.MANAGER:
        raise DomainError("forbidden", N_("Only managers receive level-2 escalations."), status=403)
    preference = db.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    preference.escalation_digest = wanted
    preference.updated_at = now or utcnow()
    db.session.add(preference)
    db.session.flush()
    return preference
