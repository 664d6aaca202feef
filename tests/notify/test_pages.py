"""The pages: the bell and its alerts, the local sent-mail page, failed messages and resending, preferences."""
import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role
from casehub.cases.services import perform_action
from casehub.extensions import db
from casehub.notify.models import Alert, NotificationPreference, OutboxMessage, OutboxStatus
from tests.notify.conftest import REFUSED_DOMAIN


def _failed_citizen_message(notify_world, make_case, smtp_server, run_jobs) -> OutboxMessage:
    case = make_case(category=notify_world.petition,
                     reporter={"email": "typo" + REFUSED_DOMAIN, "contact_preference": "email"})
    perform_action(case, "accept", actor=notify_world.staff)
    db.session.commit()
    run_jobs()
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "case_accepted"))
    assert message.status is OutboxStatus.FAILED
    return message


def test_the_bell_counts_unread_alerts_on_every_staff_page(notify_world, make_case, run_jobs, client, login):
    case = make_case(category=notify_world.petition)
    make_case(category=notify_world.petition)
    db.session.commit()
    run_jobs()
    login(notify_world.staff)
    inbox = client.get("/cases/").get_data(as_text=True)
    assert 'id="bell"' in inbox and '<span class="badge warn">2</span>' in inbox

    page = client.get("/notify/alerts").get_data(as_text=True)
    assert page.count("【1999新案件】") == 2 and case.number in page
    first = db.session.scalars(sa.select(Alert).where(Alert.user_id == notify_world.staff.id)).first()
    client.post("/notify/alerts/read", data={"alert_id": first.id})
    assert '<span class="badge warn">1</span>' in client.get("/").get_data(as_text=True)
    client.post("/notify/alerts/read")
    assert 'class="badge warn"' not in client.get("/").get_data(as_text=True)


def test_a_user_cannot_mark_someone_elses_alert_read(notify_world, make_case, run_jobs, client, login):
    make_case(category=notify_world.petition)
    db.session.commit()
    run_jobs()
    supervisors_alert = db.session.scalar(sa.select(Alert).where(Alert.user_id == notify_world.supervisor.id))
    login(notify_world.staff)
    client.post("/notify/alerts/read", data={"alert_id": supervisors_alert.id})
    db.session.expire_all()
    assert supervisors_alert.read_at is None


def test_without_a_mail_server_messages_are_kept_on_the_sent_page(notify_world, make_case, make_category,
                                                                  make_agency, run_jobs, client, login):
    case = make_case(category=notify_world.hazard)
    elsewhere = make_case(category=make_category(default_agency=make_agency()))
    db.session.commit()
    run_jobs()
    login(notify_world.staff)
    page = client.get("/notify/sent").get_data(as_text=True)
    assert "r***@example.test" in page and "0911***333" in page and case.number in page
    assert "roads@example.test" not in page and "0911222333" not in page  # addresses are masked, as everywhere
    assert elsewhere.number not in page  # another agency's mail

    client.post("/logout")
    login(notify_world.operator)
    assert elsewhere.number in client.get("/notify/sent").get_data(as_text=True)


def test_failed_messages_are_listed_for_admins_only(notify_world, make_case, smtp_server, run_jobs, make_user,
                                                    client, login):
    _failed_citizen_message(notify_world, make_case, smtp_server, run_jobs)
    manager, admin = make_user(Role.MANAGER), make_user(Role.ADMIN)
    db.session.commit()
    login(manager)
    assert client.get("/notify/failed").status_code == 403
    client.post("/logout")
    login(admin)
    page = client.get("/notify/failed").get_data(as_text=True)
    assert "SMTP 550" in page and "t***@invalid.test" in page


def test_resending_to_a_corrected_address_delivers_and_is_audited(notify_world, make_case, smtp_server, run_jobs,
                                                                  make_user, client, login):
    message = _failed_citizen_message(notify_world, make_case, smtp_server, run_jobs)
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(admin)
    response = client.post(f"/notify/messages/{message.id}/resend", data={f"m{message.id}-recipient": "not an address"})
    assert response.status_code == 422 and "電子郵件格式不正確。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert message.status is OutboxStatus.FAILED

    response = client.post(f"/notify/messages/{message.id}/resend",
                           data={f"m{message.id}-recipient": "fixed@example.test"})
    assert response.status_code == 302
    run_jobs()
    db.session.expire_all()
    assert (message.status, message.recipient) == (OutboxStatus.SENT, "fixed@example.test")
    assert [mail["to"] for mail in smtp_server.received if mail["to"] == ["fixed@example.test"]]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "resend_message"))
    assert entry.before["recipient"] == "typo@invalid.test" and entry.after["recipient"] == "fixed@example.test"


def test_only_a_failed_message_can_be_sent_again(notify_world, make_case, make_user, client, login):
    make_case(category=notify_world.petition)
    db.session.commit()
    pending = db.session.scalars(sa.select(OutboxMessage)).first()
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(admin)
    response = client.post(f"/notify/messages/{pending.id}/resend", follow_redirects=True)
    assert "只有發送失敗的訊息可以重新發送。" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.AGENCY_STAFF])
def test_only_managers_choose_how_escalations_arrive(role, make_user, client, login):
    user = make_user(role)
    db.session.commit()
    login(user)
    assert client.get("/notify/preferences").status_code == 403


def test_a_manager_chooses_the_daily_digest(make_user, client, login):
    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    assert client.get("/notify/preferences").status_code == 200
    client.post("/notify/preferences", data={"escalation_digest": "y"})
    assert db.session.get(NotificationPreference, manager.id).escalation_digest
    client.post("/language/en")
    assert "now: daily digest" in client.get("/notify/alerts").get_data(as_text=True)
