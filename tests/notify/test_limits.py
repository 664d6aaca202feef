"""The limits: office hours for agency reminders, the hourly cap per recipient, the managers' daily digest.

The SLA rows here are written by the SLA sweep itself (casehub.sla.reminders), so the templates
are also proven against the payloads that feature really writes. Without MAIL_SERVER, e-mail is
kept in the local mailbox, which is where these tests read what was "sent".
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casehub.cases.models import CaseStatus
from casehub.extensions import db
from casehub.models import utcnow
from casehub.notify.delivery import deliver
from casehub.notify.jobs import sweep_outbox
from casehub.notify.models import LocalMail, OutboxMessage, OutboxStatus
from casehub.notify.services import set_escalation_digest
from casehub.sla.reminders import run_sla_sweep
from tests.sla import taipei


def _written(template: str) -> OutboxMessage:
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template)
                              .order_by(OutboxMessage.id.desc())).first()


def _mailbox() -> list[tuple[str, str]]:
    return [(mail.recipient, mail.subject) for mail in db.session.scalars(sa.select(LocalMail).order_by(LocalMail.id))]


@pytest.fixture
def accepted_petition(sla_world):
    """A petition received Fri 2026-11-27 10:00, accepted at once: due Mon 12-07 17:30."""
    case = sla_world.open(sla_world.petition, taipei(2026, 11, 27, 10))
    case.status = CaseStatus.ACCEPTED
    db.session.commit()
    return case


def test_a_reminder_written_at_night_waits_for_the_next_office_opening(sla_world, accepted_petition):
    night = taipei(2026, 12, 4, 22)  # the sweep ran late, after closing on Friday
    run_sla_sweep(night)
    db.session.commit()
    reminder = _written("sla_reminder")
    assert deliver(reminder.id, night) == "office_hours"
    assert reminder.status is OutboxStatus.PENDING and reminder.next_attempt_at == taipei(2026, 12, 7, 8)
    assert deliver(reminder.id, taipei(2026, 12, 5, 10)) == "skipped"  # Saturday
    assert deliver(reminder.id, taipei(2026, 12, 7, 8)) == "sent"
    assert _mailbox() == [(sla_world.agency.email, f"【期限提醒】{accepted_petition.number} 將於 2026-12-07 17:30 到期")]


def test_a_reminder_at_closing_time_goes_at_once(sla_world, accepted_petition):
    closing = taipei(2026, 12, 4, 17, 30)  # one working day before the deadline
    run_sla_sweep(closing)
    db.session.commit()
    assert deliver(_written("sla_reminder").id, closing) == "sent"


def test_hazard_reminders_go_out_at_night(sla_world):
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 23, 10))  # due 03:10
    db.session.commit()
    half_time = taipei(2026, 11, 27, 1, 10)
    run_sla_sweep(half_time)
    db.session.commit()
    reminder = _written("sla_reminder")
    assert reminder.urgent
    assert deliver(reminder.id, half_time) == "sent"
    assert case.number in _mailbox()[0][1]


def test_past_the_hourly_limit_messages_wait_for_one_digest(notify_world, make_case, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_HOURLY_LIMIT", 2)
    cases = [make_case(category=notify_world.petition) for _ in range(3)]
    db.session.commit()
    now = utcnow()
    to_agency = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "agency_new_case",
                                                                  OutboxMessage.recipient == "roads@example.test")
                                   .order_by(OutboxMessage.id)).all()
    assert [deliver(message.id, now) for message in to_agency] == ["sent", "sent", "hourly_limit"]
    held = to_agency[2]
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert (held.status, held.next_attempt_at) == (OutboxStatus.HELD, next_hour)

    hazard = make_case(category=notify_world.hazard)  # hazards are never held back
    db.session.commit()
    urgent = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.case_id == hazard.id,
                                                              OutboxMessage.recipient == "roads@example.test"))
    assert deliver(urgent.id, utcnow()) == "sent"

    assert sweep_outbox(next_hour - timedelta(seconds=1))["digests"] == 0
    assert sweep_outbox(next_hour)["digests"] == 1
    assert held.status is OutboxStatus.DIGESTED and held.digest_id is not None
    digest = db.session.get(OutboxMessage, held.digest_id)
    assert deliver(digest.id, next_hour) == "sent"
    mail = db.session.scalars(sa.select(LocalMail).where(LocalMail.message_id == digest.id)).one()
    assert mail.subject == "CaseHub 通知彙整：1 則"
    assert cases[2].number in mail.body


def test_in_app_alerts_are_not_limited(notify_world, make_case, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_HOURLY_LIMIT", 1)
    for _ in range(3):
        make_case(category=notify_world.petition)
    db.session.commit()
    alerts = db.session.scalars(sa.select(OutboxMessage.id).where(OutboxMessage.user_id == notify_world.staff.id))
    now = utcnow()
    assert [deliver(message_id, now) for message_id in alerts] == ["sent", "sent", "sent"]


def test_a_manager_may_take_level_two_escalations_as_a_daily_digest(sla_world, accepted_petition):
    set_escalation_digest(sla_world.manager, True)
    db.session.commit()
    level_two = taipei(2026, 12, 8, 17, 30)  # due Mon 17:30, overdue notice then, managers one working day later
    run_sla_sweep(taipei(2026, 12, 7, 17, 30))
    run_sla_sweep(level_two)
    db.session.commit()
    escalation = _written("sla_escalation_manager")
    assert deliver(escalation.id, level_two) == "daily_digest"
    assert (escalation.status, escalation.next_attempt_at) == (OutboxStatus.HELD, taipei(2026, 12, 9, 8))

    assert sweep_outbox(taipei(2026, 12, 9, 8))["digests"] == 1
    digest = db.session.get(OutboxMessage, escalation.digest_id)
    assert deliver(digest.id, taipei(2026, 12, 9, 8)) == "sent"
    recipient, subject = _mailbox()[-1]
    assert (recipient, subject) == (sla_world.manager.email, "CaseHub 通知彙整：1 則")


def test_managers_get_each_escalation_by_default(sla_world, accepted_petition):
    run_sla_sweep(taipei(2026, 12, 7, 17, 30))
    run_sla_sweep(taipei(2026, 12, 8, 17, 30))
    db.session.commit()
    assert deliver(_written("sla_escalation_manager").id, taipei(2026, 12, 8, 17, 30)) == "sent"
