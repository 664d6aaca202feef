"""Delivery end to end: real Redis, a local SMTP server and a local HTTP SMS gateway."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casehub.cases.models import Case
from casehub.cases.services import perform_action
from casehub.extensions import db
from casehub.intake.services import intake_case
from casehub.models import utcnow
from casehub.notify.delivery import (LEASE, NEEDS_CHECK, NOT_DELIVERED, RESENT_UNDER_SAME_KEY, backoff,
                                     begin_attempt, deliver)
from casehub.notify.jobs import sweep_outbox
from casehub.notify.models import Alert, DeliveryAttempt, OutboxChannel, OutboxMessage, OutboxStatus
from casehub.notify.senders import send_message
from tests.notify.conftest import EMAIL_REPORTER, REFUSED_DOMAIN, REFUSED_NUMBER, free_port


def _messages(**filters) -> list[OutboxMessage]:
    stmt = sa.select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)
    return list(db.session.scalars(stmt))


def test_a_hazard_case_sends_the_agency_one_sms_and_one_email(notify_world, make_case, smtp_server, sms_gateway,
                                                              run_jobs):
    case = make_case(category=notify_world.hazard, address="高雄市三民區九如一路100號")
    db.session.commit()
    run_jobs()

    assert [mail["to"] for mail in smtp_server.received] == [["roads@example.test"]]
    assert case.number in smtp_server.received[0]["subject"]
    assert "緊急" in smtp_server.received[0]["subject"]
    assert [(sms["to"], sms["authorization"]) for sms in sms_gateway.received] == [("0911222333", "Bearer s3cret")]
    assert case.number in sms_gateway.received[0]["text"]
    assert {(m.channel, m.urgent, m.status) for m in _messages(template="agency_new_case")} == {
        (OutboxChannel.EMAIL, True, OutboxStatus.SENT), (OutboxChannel.SMS, True, OutboxStatus.SENT),
        (OutboxChannel.IN_APP, False, OutboxStatus.SENT),  # two staff members, one row each
    }
    run_jobs()
    assert len(smtp_server.received) == 1 and len(sms_gateway.received) == 1


def test_hazard_deliveries_go_on_the_high_queue_and_others_on_default(notify_world, make_case, redis_conn, app):
    make_case(category=notify_world.hazard)
    make_case(category=notify_world.petition)
    db.session.commit()
    queued = {name: app.extensions["queues"][name].count for name in ("high", "default")}
    assert queued == {"high": 2, "default": 5}  # hazard: e-mail, SMS; the rest: petition e-mail, 2 x 2 alerts


def test_a_resolved_case_emails_the_citizen_the_reply(notify_world, make_case, smtp_server, run_jobs):
    case = make_case(category=notify_world.petition, reporter=EMAIL_REPORTER)
    perform_action(case, "resolve", actor=notify_world.staff, reply="噪音來源已勸導改善，並已複查。")
    db.session.commit()
    run_jobs()

    to_citizen = [mail for mail in smtp_server.received if mail["to"] == ["citizen@example.test"]]
    assert len(to_citizen) == 1
    assert case.number in to_citizen[0]["subject"]
    assert "噪音來源已勸導改善，並已複查。" in to_citizen[0]["body"]


def test_redis_down_at_intake_saves_the_case_and_the_sweep_delivers_once_it_is_back(
        notify_world, smtp_server, sms_gateway, redis_down, run_jobs):
    data = {"channel": "phone", "category": notify_world.hazard.code, "description": "路面坑洞，機車差點摔倒",
            "address": "高雄市苓雅區四維三路2號", "reporter": EMAIL_REPORTER}
    case, code = intake_case(data, operator=notify_world.operator, now=utcnow())  # tells the citizen too
    db.session.commit()  # Redis refuses the jobs: logged, not raised; the case and its outbox rows are saved

    db.session.expire_all()
    assert db.session.scalar(sa.select(Case).where(Case.number == case.number)) is not None
    assert {m.status for m in _messages()} == {OutboxStatus.PENDING}

    redis_down()  # "Redis is back"
    run_jobs()
    assert smtp_server.received == [] and sms_gateway.received == []
    assert sweep_outbox()["enqueued"] == len(_messages())
    run_jobs()

    assert sorted(mail["to"][0] for mail in smtp_server.received) == ["citizen@example.test", "roads@example.test"]
    assert [sms["to"] for sms in sms_gateway.received] == ["0911222333"]
    received = next(mail for mail in smtp_server.received if mail["to"] == ["citizen@example.test"])
    assert case.number in received["body"] and code in received["body"]
    assert {m.status for m in _messages()} == {OutboxStatus.SENT}


def test_a_sweep_does_not_queue_a_message_twice(notify_world, make_case, app, redis_down):
    make_case(category=notify_world.petition)
    db.session.commit()
    redis_down()
    assert sweep_outbox()["enqueued"] == 3  # the agency's e-mail, an alert for each of its two staff
    assert sweep_outbox()["enqueued"] == 0  # still queued: the job id is taken
    assert app.extensions["queues"]["default"].count == 3


def test_a_job_retried_after_a_failure_sends_once(notify_world, make_case, app, smtp_server, monkeypatch):
    make_case(category=notify_world.petition)
    db.session.commit()
    message = _messages(channel=OutboxChannel.EMAIL)[0]
    now = utcnow()
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # the mail server is down
    assert deliver(message.id, now) == "pending"
    assert message.attempts == 1 and "SMTP" in message.last_error
    assert message.next_attempt_at == now + backoff(1)
    assert deliver(message.id, now + timedelta(seconds=30)) == "skipped"  # not due yet

    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    later = now + backoff(1)
    assert deliver(message.id, later) == "sent"
    assert deliver(message.id, later) == "skipped"
    assert deliver(message.id, later + timedelta(hours=1)) == "skipped"
    assert len(smtp_server.received) == 1
    attempts = db.session.scalars(sa.select(DeliveryAttempt).where(DeliveryAttempt.message_id == message.id)
                                  .order_by(DeliveryAttempt.id)).all()
    assert [attempt.succeeded for attempt in attempts] == [False, True]


def test_two_workers_taking_the_same_message_at_once_send_it_once(notify_world, make_case, app, smtp_server):
    make_case(category=notify_world.petition)
    db.session.commit()
    message_id = _messages(channel=OutboxChannel.EMAIL)[0].id
    now = utcnow()
    outcomes, start = [], threading.Barrier(4)

    def worker():
        with app.app_context():
            start.wait()
            outcomes.append(deliver(message_id, now))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(smtp_server.received) == 1


def _attempts(message_id: int) -> list[DeliveryAttempt]:
    return list(db.session.scalars(sa.select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
                                   .order_by(DeliveryAttempt.id)))


def test_the_attempt_is_committed_before_sending_and_the_outcome_after(notify_world, make_case, sms_gateway):
    case = make_case(category=notify_world.hazard)
    db.session.commit()
    message = _messages(channel=OutboxChannel.SMS)[0]
    now = utcnow()
    outgoing = begin_attempt(message.id, now, "key-1")
    db.session.rollback()  # what another process sees: the attempt is there before anything was sent
    assert [(a.succeeded, a.idempotency_key) for a in _attempts(message.id)] == [(None, "key-1")]
    assert sms_gateway.received == [] and outgoing.recipient == "0911222333" and case.number in outgoing.rendered.short

    assert deliver(message.id, now + LEASE) == "sent"
    [attempt] = _attempts(message.id)[1:]
    assert (attempt.succeeded, attempt.provider_message_id) == (True, "gw-1")


def test_a_text_whose_outcome_was_lost_is_sent_again_under_the_same_key(notify_world, make_case, sms_gateway):
    make_case(category=notify_world.hazard)
    db.session.commit()
    message = _messages(channel=OutboxChannel.SMS)[0]
    now = utcnow()
    outgoing = begin_attempt(message.id, now, "key-1")
    send_message(outgoing, now)  # ... and the worker dies before saving that it went out
    db.session.rollback()
    assert deliver(message.id, now + LEASE - timedelta(seconds=1)) == "skipped"  # its lease still holds
    assert deliver(message.id, now + LEASE) == "sent"
    # The gateway got the same key twice and, as its contract says, drops the repeat: one text reaches the phone.
    assert [sms["idempotency_key"] for sms in sms_gateway.received] == ["key-1", "key-1"]
    assert [(a.succeeded, a.idempotency_key, a.error) for a in _attempts(message.id)] == [
        (None, "key-1", RESENT_UNDER_SAME_KEY), (True, "key-1", None)]


def test_an_email_whose_outcome_was_lost_is_not_sent_twice_but_left_for_a_person(notify_world, make_case,
                                                                                 smtp_server):
    make_case(category=notify_world.petition)
    db.session.commit()
    message = _messages(channel=OutboxChannel.EMAIL)[0]
    now = utcnow()
    send_message(begin_attempt(message.id, now, "key-1"), now)  # ... and the worker dies before saving
    db.session.rollback()
    assert deliver(message.id, now + LEASE) == "needs_check"
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0]["message"]["Message-ID"].startswith("<casehub.key-1@")
    assert (message.status, message.last_error) == (OutboxStatus.FAILED, NEEDS_CHECK)
    assert deliver(message.id, now + 2 * LEASE) == "skipped"


def test_an_alert_whose_save_was_lost_was_never_delivered_and_goes_out_once(notify_world, make_case):
    make_case(category=notify_world.petition)
    db.session.commit()
    message = _messages(channel=OutboxChannel.IN_APP)[0]
    now = utcnow()
    begin_attempt(message.id, now, "key-1")  # the worker dies: the alert was to be written with the outcome
    db.session.rollback()
    assert deliver(message.id, now + LEASE) == "sent"
    assert db.session.scalar(sa.select(sa.func.count(Alert.id)).where(Alert.user_id == message.user_id)) == 1
    assert [(a.succeeded, a.error) for a in _attempts(message.id)] == [(False, NOT_DELIVERED), (True, None)]


@pytest.fixture
def drop_connection_once(app):
    """Terminate this process's database connection (pg_terminate_backend, as a failover does) at the first
    statement that matches `trigger`, from another connection; returns how many were dropped."""
    admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    dropped, listeners = [], []

    def arm(trigger: str):
        def before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
            if not dropped and statement.lstrip().upper().startswith(trigger):
                pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                with admin.begin() as killer:
                    killer.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                dropped.append(pid)

        sa.event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
        listeners.append(before_cursor_execute)
        return dropped

    yield arm
    for listener in listeners:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    admin.dispose()


def test_a_dropped_connection_after_sending_is_ridden_out_and_the_status_saved(notify_world, make_case,
                                                                                smtp_server, drop_connection_once):
    make_case(category=notify_world.petition)
    db.session.commit()
    message = _messages(channel=OutboxChannel.EMAIL)[0]
    now = utcnow()
    dropped = drop_connection_once("UPDATE DELIVERY_ATTEMPTS")  # the save after sending
    assert deliver(message.id, now) == "sent"
    assert len(dropped) == 1 and len(smtp_server.received) == 1
    db.session.refresh(message)
    assert message.status is OutboxStatus.SENT
    assert [attempt.succeeded for attempt in _attempts(message.id)] == [True]
    assert deliver(message.id, now + LEASE) == "skipped"


def test_a_dropped_connection_while_taking_the_message_sends_it_once(notify_world, make_case, smtp_server,
                                                                     drop_connection_once):
    make_case(category=notify_world.petition)
    db.session.commit()
    message = _messages(channel=OutboxChannel.EMAIL)[0]
    dropped = drop_connection_once("INSERT INTO DELIVERY_ATTEMPTS")
    assert deliver(message.id, utcnow()) == "sent"
    assert len(dropped) == 1 and len(smtp_server.received) == 1
    assert [attempt.succeeded for attempt in _attempts(message.id)] == [True]


def test_a_bad_email_address_ends_as_a_visible_permanent_failure(notify_world, make_case, smtp_server, run_jobs,
                                                                client, login):
    case = make_case(category=notify_world.petition,
                     reporter={"email": "nobody" + REFUSED_DOMAIN, "contact_preference": "email"})
    perform_action(case, "accept", actor=notify_world.staff)
    db.session.commit()
    run_jobs()

    message = _messages(template="case_accepted")[0]
    assert message.status is OutboxStatus.FAILED and message.attempts == 1
    assert message.last_error.startswith("SMTP 550")
    assert not [mail for mail in smtp_server.received if REFUSED_DOMAIN in mail["to"][0]]

    login(notify_world.supervisor)
    page = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert 'class="message-failed flagged"' in page and "SMTP 550" in page


def test_an_sms_gateway_refusal_is_permanent_and_an_outage_is_retried(notify_world, make_case, sms_gateway):
    case = make_case(category=notify_world.petition, reporter={"phone": REFUSED_NUMBER, "contact_preference": "sms"})
    perform_action(case, "accept", actor=notify_world.staff)
    db.session.commit()
    refused = _messages(template="case_accepted")[0]
    now = utcnow()
    assert deliver(refused.id, now) == "failed"
    assert refused.last_error.startswith("SMS gateway answered 400")

    ok_case = make_case(category=notify_world.petition, reporter={"phone": "0987654321", "contact_preference": "sms"})
    perform_action(ok_case, "accept", actor=notify_world.staff)
    db.session.commit()
    message = _messages(template="case_accepted", recipient="0987654321")[0]
    now = utcnow()
    sms_gateway.unavailable = True
    assert deliver(message.id, now) == "pending"
    assert "503" in message.last_error
    sms_gateway.unavailable = False
    assert deliver(message.id, now + backoff(1)) == "sent"
    assert [sms["to"] for sms in sms_gateway.received] == ["0987654321"]


def test_a_message_out_of_retries_fails(notify_world, make_case, app, monkeypatch):
    from casehub.notify.delivery import MAX_ATTEMPTS

    make_case(category=notify_world.petition)
    db.session.commit()
    message = _messages(channel=OutboxChannel.EMAIL)[0]
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    moment = utcnow()
    for _ in range(MAX_ATTEMPTS):
        deliver(message.id, moment)
        moment = message.next_attempt_at
    assert message.status is OutboxStatus.FAILED and message.attempts == MAX_ATTEMPTS


def test_a_template_missing_a_variable_fails_the_delivery_instead_of_sending_a_blank(notify_world, make_case,
                                                                                     smtp_server):
    case = make_case(category=notify_world.petition, reporter=EMAIL_REPORTER)
    db.session.add(OutboxMessage(dedup_key="broken", channel=OutboxChannel.EMAIL, recipient="citizen@example.test",
                                 template="case_resolved", payload={"case_number": case.number}, case_id=case.id))
    db.session.commit()
    message = _messages(dedup_key="broken")[0]
    assert deliver(message.id, utcnow()) == "failed"
    assert "is undefined" in message.last_error
    assert smtp_server.received == []
