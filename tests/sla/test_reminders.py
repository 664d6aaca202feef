"""Reminders before the deadline, escalation after it, each written exactly once as an outbox row."""
import pytest
import sqlalchemy as sa

from casehub.cases.models import Case, CaseEvent, CaseStatus
from casehub.extensions import db
from casehub.notify.models import OutboxMessage
from casehub.sla.reminders import run_sla_sweep
from casehub.sla.services import pause_clock, resume_clock
from tests.sla import taipei


def sweep(now) -> list[tuple[str, str]]:
    """Run one sweep at `now`; the (template, recipient) of the rows it wrote."""
    known = set(db.session.scalars(sa.select(OutboxMessage.id)))
    run_sla_sweep(now)
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [(row.template, row.recipient) for row in rows if row.id not in known]


def sla_keys() -> list[str]:
    """The de-duplication keys of the SLA's outbox rows (other features write rows of their own)."""
    return db.session.scalars(sa.select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.like("sla:%"))
                              .order_by(OutboxMessage.id)).all()


def test_hazard_reminders_at_half_and_eighty_percent_then_escalation_every_cycle(sla_world):
    agency, supervisor, manager = sla_world.agency.email, sla_world.supervisor.email, sla_world.manager.email
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))  # due 14:00
    assert case.next_action_at == taipei(2026, 11, 26, 10, 30)
    assert sweep(taipei(2026, 11, 26, 10, 29)) == []
    assert sweep(taipei(2026, 11, 26, 10, 30)) == [("sla_first_response_overdue", agency)]  # not accepted yet
    assert sweep(taipei(2026, 11, 26, 12)) == [("sla_reminder", agency)]  # 50% of four hours
    assert sweep(taipei(2026, 11, 26, 12, 1)) == []
    assert sweep(taipei(2026, 11, 26, 13, 12)) == [("sla_reminder", agency)]  # 80%
    assert sweep(taipei(2026, 11, 26, 14)) == [("sla_overdue_supervisor", supervisor)]  # level 1
    assert (case.escalation_level, case.next_action_at) == (1, taipei(2026, 11, 26, 18))
    assert sweep(taipei(2026, 11, 26, 17, 59)) == []
    assert sweep(taipei(2026, 11, 26, 18)) == [("sla_escalation_manager", manager)]  # level 2: one cycle later
    assert sweep(taipei(2026, 11, 26, 22)) == [("sla_escalation_manager", manager)]  # and every cycle after
    assert case.escalation_level == 3
    keys = sla_keys()
    assert keys[1:3] == [f"sla:{case.id}:resolution:50pct:v1:agency{sla_world.agency.id}",
                         f"sla:{case.id}:resolution:80pct:v1:agency{sla_world.agency.id}"]
    levels = db.session.scalars(sa.select(CaseEvent.details).where(CaseEvent.type == "sla_escalated")).all()
    assert [details["level"] for details in levels] == [1, 2, 3]
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "sla_overdue_supervisor"))
    assert message.payload["case_number"] == case.number
    assert message.payload["due_at"] == "2026-11-26T14:00:00+08:00"
    assert message.payload["agency"] == sla_world.agency.code
    assert message.urgent and message.user_id == sla_world.supervisor.id


def test_petition_reminded_one_working_day_before_and_escalated_by_working_days(sla_world):
    case = sla_world.open(sla_world.petition, taipei(2026, 11, 27, 10))
    # Received Fri 11-27: Mon 30 (1), Tue (2), Wed (3), Thu (4), Fri 12-04 (5), Mon 12-07 (6).
    assert case.due_at == taipei(2026, 12, 7, 17, 30)
    case.status = CaseStatus.ACCEPTED  # accepted in time: no first-response notice
    # One working day before: Fri 12-04 17:30 (the weekend does not count).
    assert sweep(taipei(2026, 12, 4, 17, 29)) == []
    assert sweep(taipei(2026, 12, 4, 17, 30)) == [("sla_reminder", sla_world.agency.email)]
    assert sweep(taipei(2026, 12, 7, 17, 30)) == [("sla_overdue_supervisor", sla_world.supervisor.email)]
    assert case.next_action_at == taipei(2026, 12, 8, 17, 30)  # one working day later
    assert sweep(taipei(2026, 12, 8, 17, 30)) == [("sla_escalation_manager", sla_world.manager.email)]


def test_a_late_sweep_sends_what_still_matters_once(sla_world):
    sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
    # The scheduler was down until 15:00: the reminders before the deadline are moot, the overdue notice is not.
    assert [template for template, _ in sweep(taipei(2026, 11, 26, 15))] == \
        ["sla_first_response_overdue", "sla_overdue_supervisor"]
    # Down again until 23:00: levels 2 (18:00) and 3 (22:00) are due; the managers hear once, at level 3.
    assert [template for template, _ in sweep(taipei(2026, 11, 26, 23))] == ["sla_escalation_manager"]
    assert sla_keys()[-1].split(":")[3] == "level3"


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.CANCELLED, CaseStatus.MERGED])
def test_finished_cases_are_never_reminded(sla_world, status):
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
    case.status = status  # as the lifecycle would have set it
    db.session.flush()
    assert sweep(taipei(2026, 11, 26, 23)) == []
    assert case.next_action_at is None


def test_paused_cases_are_not_reminded_and_a_moved_deadline_is_a_new_version(sla_world):
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
    case.status = CaseStatus.ACCEPTED
    assert len(sweep(taipei(2026, 11, 26, 12))) == 1  # 50% of version 1
    pause_clock(case, now=taipei(2026, 11, 26, 12, 30))
    assert sweep(taipei(2026, 11, 26, 20)) == []
    resume_clock(case, now=taipei(2026, 11, 26, 13, 30))  # due 15:00: 80% at 14:12
    assert sweep(taipei(2026, 11, 26, 14, 12)) == [("sla_reminder", sla_world.agency.email)]
    assert sla_keys()[-1] == f"sla:{case.id}:resolution:80pct:v2:agency{sla_world.agency.id}"


def test_a_repeated_sweep_never_writes_a_row_twice_nor_bumps_the_case_version(sla_world):
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
    db.session.commit()
    version = case.version
    assert len(sweep(taipei(2026, 11, 26, 14))) == 2
    db.session.commit()
    assert case.version == version  # a user's page loaded before the sweep still saves
    # Rewind the bookkeeping as if the sweep's commit had been lost after the rows were written.
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(
        next_action_at=taipei(2026, 11, 26, 10, 30), escalation_level=0))
    assert sweep(taipei(2026, 11, 26, 14)) == []
    assert len(sla_keys()) == 2
