"""Who is told what: the outbox rows each case event writes, in the same transaction."""
import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.services import add_reporter, perform_action
from casehub.extensions import db
from casehub.notify.models import Alert, OutboxChannel, OutboxMessage
from casehub.notify.services import notify_case_received
from tests.notify.conftest import EMAIL_REPORTER


def _sent(template: str) -> list[tuple[str, str]]:
    """(channel, recipient) of the messages written with `template`."""
    rows = db.session.execute(sa.select(OutboxMessage.channel, OutboxMessage.recipient)
                              .where(OutboxMessage.template == template).order_by(OutboxMessage.id))
    return [(channel.value, recipient) for channel, recipient in rows]


def test_a_new_case_tells_the_agency_by_email_and_its_staff_in_the_app(notify_world, make_case):
    make_case(category=notify_world.petition)
    assert _sent("agency_new_case") == [
        ("email", "roads@example.test"),
        ("in_app", notify_world.staff.username), ("in_app", notify_world.supervisor.username),
    ]


def test_an_agency_without_a_mailbox_still_gets_its_in_app_alerts(notify_world, make_case, make_category,
                                                                  make_agency, make_user):
    agency = make_agency(email=None, sms_number=None)
    staff = make_user(Role.AGENCY_STAFF, agency=agency)
    make_case(category=make_category(default_agency=agency))
    assert _sent("agency_new_case") == [("in_app", staff.username)]


@pytest.mark.parametrize(("action", "params", "template", "quoted"), [
    ("accept", {}, "case_accepted", None),
    ("request_info", {"message": "請提供門牌號碼"}, "case_info_requested", "請提供門牌號碼"),
    ("resolve", {"reply": "已完成修復"}, "case_resolved", "已完成修復"),
])
def test_the_citizen_hears_of_each_step(notify_world, case_in_status, action, params, template, quoted):
    case, staff, _operator = case_in_status("accepted" if action == "request_info" else "assigned",
                                            category=notify_world.petition, reporter=EMAIL_REPORTER)
    perform_action(case, action, actor=staff, **params)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == template))
    assert (message.channel, message.recipient) == (OutboxChannel.EMAIL, "citizen@example.test")
    assert message.payload["case_number"] == case.number
    if quoted:
        assert quoted in message.payload.values()


def test_a_reopened_case_tells_the_citizen_and_the_agency(notify_world, case_in_status):
    case, _staff, operator = case_in_status("resolved", category=notify_world.hazard, reporter=EMAIL_REPORTER)
    perform_action(case, "reopen", actor=operator, reason="坑洞仍在")
    assert _sent("case_reopened") == [("email", "citizen@example.test")]
    reopened = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "agency_case_reopened")
                                  .where(OutboxMessage.channel != OutboxChannel.IN_APP)).all()
    assert {(m.channel, m.urgent) for m in reopened} == {(OutboxChannel.EMAIL, True), (OutboxChannel.SMS, True)}
    assert reopened[0].payload["reason"] == "坑洞仍在" and reopened[0].payload["reopened_count"] == 1


@pytest.mark.parametrize("reporter", [
    {"anonymous": True},
    {"name": "林", "phone": "0912345678", "contact_preference": "letter"},
    {"name": "林", "email": "lin@example.test", "contact_preference": "none"},
    {"name": "林", "phone": "073368333", "contact_preference": "phone"},  # a landline: the agency calls
])
def test_nothing_goes_to_citizens_who_cannot_or_do_not_want_to_be_messaged(notify_world, make_case, reporter):
    case = make_case(category=notify_world.petition, reporter=reporter)
    notify_case_received(case, "ABCD1234", now=case.received_at)
    perform_action(case, "resolve", actor=notify_world.staff, reply="已處理")
    assert _sent("case_received") == [] and _sent("case_resolved") == []


def test_a_citizen_answered_by_phone_gets_texts_on_a_mobile_number(notify_world, make_case):
    case = make_case(category=notify_world.petition, reporter={"phone": "0912345678", "contact_preference": "phone"})
    notify_case_received(case, "ABCD1234", now=case.received_at)
    assert _sent("case_received") == [("sms", "0912345678")]


def test_case_received_carries_the_tracking_code_and_is_written_once(notify_world, make_case):
    case = make_case(category=notify_world.petition, reporter=EMAIL_REPORTER)
    first = notify_case_received(case, "ABCD1234", now=case.received_at)
    again = notify_case_received(case, "ABCD1234", now=case.received_at)
    assert [message.payload["tracking_code"] for message in first] == ["ABCD1234"]
    assert again == []
    assert _sent("case_received") == [("email", "citizen@example.test")]


def test_every_further_reporter_gets_the_resolution_each_address_once(notify_world, make_case):
    case = make_case(category=notify_world.petition, reporter=EMAIL_REPORTER)
    duplicate = make_case(category=notify_world.petition,
                          reporter={"phone": "0922333444", "contact_preference": "sms"})
    perform_action(duplicate, "merge", actor=notify_world.operator, into=case.number)
    add_reporter(case, {"email": "neighbour@example.test", "contact_preference": "email"}, actor=None)
    add_reporter(case, {"email": "citizen@example.test", "contact_preference": "email"}, actor=None)  # same person
    add_reporter(case, {"anonymous": True}, actor=None)
    perform_action(case, "resolve", actor=notify_world.staff, reply="路燈已更換")
    assert _sent("case_resolved") == [("email", "citizen@example.test"), ("sms", "0922333444"),
                                      ("email", "neighbour@example.test")]


def test_a_transfer_decision_tells_the_agency_that_gave_the_case_up(notify_world, case_in_status, make_agency):
    case, staff, operator = case_in_status("transfer_requested", category=notify_world.petition)
    other = make_agency(email="parks@example.test")
    perform_action(case, "reassign", actor=operator, agency=other.code)
    transferred = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "agency_case_transferred"))
    assert transferred.recipient == "roads@example.test"
    assert transferred.payload["requested"] is True
    assert ("email", "parks@example.test") in _sent("agency_new_case")


@pytest.mark.parametrize(("decision", "approved"), [("approve_extension", True), ("reject_extension", False)])
def test_extension_decisions_go_to_the_agency(notify_world, case_in_status, decision, approved):
    case, staff, _operator = case_in_status("accepted", category=notify_world.petition)
    perform_action(case, "request_extension", actor=staff, days=5, reason="需會勘")
    perform_action(case, decision, actor=notify_world.supervisor, note="同意" if approved else None)
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "agency_extension_decided"))
    assert message.recipient == "roads@example.test"
    assert message.payload.items() >= {"approved": approved, "days": 5, "reason": "需會勘"}.items()


def test_messages_roll_back_with_the_change_that_caused_them(notify_world, make_case, app):
    make_case(category=notify_world.hazard)
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert sum(app.extensions["queues"][name].count for name in ("high", "default")) == 0


def test_in_app_alerts_reach_the_bell_in_each_users_language(notify_world, make_case, run_jobs):
    case = make_case(category=notify_world.petition)
    db.session.commit()
    run_jobs()
    alerts = {alert.user_id: alert for alert in db.session.scalars(sa.select(Alert))}
    assert alerts.keys() == {notify_world.staff.id, notify_world.supervisor.id}
    assert alerts[notify_world.staff.id].message.startswith("【1999新案件】" + case.number)
    assert alerts[notify_world.supervisor.id].message.startswith("[1999 new case] " + case.number)
    assert all(alert.case_id == case.id and alert.read_at is None for alert in alerts.values())
