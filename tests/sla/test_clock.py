"""The clock as a case lives: pause and resume, extensions, reassignment, and a closure declared afterwards."""
from datetime import date

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import CaseEvent, CaseStatus
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.sla.admin import declare_exception
from casehub.sla.services import extend_deadline, pause_clock, plan_deadline, plan_reassignment, resume_clock
from tests.sla import taipei


def deadline_events(case) -> list[dict]:
    return [event.details for event in db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "deadline_changed")
        .order_by(CaseEvent.id))]


def test_hazard_clock_stops_while_waiting_for_the_citizen(sla_world):
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
    assert case.due_at == taipei(2026, 11, 26, 14)
    pause_clock(case, now=taipei(2026, 11, 26, 11))
    assert case.next_action_at is None  # no reminders while paused
    resume_clock(case, now=taipei(2026, 11, 26, 12, 30))
    # 1 h 30 min waiting does not count: 14:00 -> 15:30.
    assert case.due_at == taipei(2026, 11, 26, 15, 30)
    assert case.paused_at is None
    assert deadline_events(case)[-2:] == [
        {"old": "2026-11-26T14:00:00+08:00", "new": None, "reason": "clock paused: waiting for the citizen"},
        {"old": "2026-11-26T14:00:00+08:00", "new": "2026-11-26T15:30:00+08:00",
         "reason": "clock resumed: 90 minutes waiting for the citizen do not count"},
    ]


def test_petition_clock_moves_by_the_office_time_spent_waiting(sla_world):
    case = sla_world.open(sla_world.petition, taipei(2026, 11, 23, 10))
    # Received Mon 11-23: Tue 24 (1), Wed (2), Thu (3), Fri 27 (4), Mon 30 (5), Tue 12-01 (6).
    assert case.due_at == taipei(2026, 12, 1, 17, 30)
    version = case.deadline_version
    pause_clock(case, now=taipei(2026, 11, 25, 15))
    resume_clock(case, now=taipei(2026, 11, 30, 10))
    # Office time waited: Wed 15:00-17:30 (2 h 30), Thu (9 h 30), Fri (9 h 30), Mon 08:00-10:00 (2 h)
    # = 23 h 30 = two office days (19 h) + 4 h 30. From Tue 12-01 17:30: Wed 12-02 17:30, Thu 12-03
    # 17:30, then 4 h 30 into Fri 12-04: 12:30.
    assert case.due_at == taipei(2026, 12, 4, 12, 30)
    assert case.paused_seconds == 23 * 3600 + 1800
    assert case.deadline_version == version + 1
    assert case.due_explanation["paused_minutes"] == 23 * 60 + 30


def test_extension_moves_the_deadline_but_never_beyond_thirty_working_days(sla_world):
    case = sla_world.open(sla_world.petition, taipei(2026, 11, 23, 10))
    extend_deadline(case, working_days=5, now=taipei(2026, 11, 27, 9), reason="需會勘")
    # Six working days end Tue 12-01; five more: Wed 12-02, Thu, Fri, Mon 12-07, Tue 12-08.
    assert case.due_at == taipei(2026, 12, 8, 17, 30)
    assert deadline_events(case)[-1]["reason"] == "extension approved: 5 working days (需會勘)"
    with pytest.raises(DomainError) as refused:
        extend_deadline(case, working_days=20, now=taipei(2026, 11, 27, 9), reason="再延")
    assert refused.value.code == "extension_too_long"
    assert refused.value.fields == {"days": ["At most 19 more working days."]}
    assert case.due_at == taipei(2026, 12, 8, 17, 30)
    extend_deadline(case, working_days=19, now=taipei(2026, 11, 27, 9), reason="再延")  # 6 + 5 + 19 = 30
    assert case.extended_working_days == 24


def test_hour_clock_cases_cannot_be_extended(sla_world):
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
    with pytest.raises(DomainError, match="Only working-day deadlines"):
        extend_deadline(case, working_days=1, now=taipei(2026, 11, 26, 11), reason="x")


def test_reassignment_has_one_working_day_then_the_new_agency_gets_a_fresh_clock(sla_world, make_agency):
    case = sla_world.open(sla_world.petition, taipei(2026, 11, 23, 10))
    case.status = CaseStatus.TRANSFER_REQUESTED  # as the lifecycle would have set it
    plan_reassignment(case, now=taipei(2026, 11, 27, 16))
    # One working day of office time (9 h 30) from Fri 16:00: 1 h 30 on Friday, 8 h on Monday -> 16:00.
    assert case.due_at == taipei(2026, 11, 30, 16)
    assert case.due_explanation["clock"] == "reassignment"
    case.status, case.agency = CaseStatus.ASSIGNED, make_agency()
    plan_deadline(case, now=taipei(2026, 11, 30, 11), reason="reassigned", restart_clock=True)
    # A fresh six working days from Mon 11-30: Tue 12-01 (1) ... Tue 12-08 (6).
    assert case.due_at == taipei(2026, 12, 8, 17, 30)
    assert case.sla_started_at == taipei(2026, 11, 30, 11)


def test_closure_declared_after_the_fact_recomputes_open_cases_it_touches(sla_world, make_user):
    manager = make_user(Role.MANAGER)
    touched = sla_world.open(sla_world.petition, taipei(2026, 11, 23, 10))  # due Tue 12-01
    breached = sla_world.open(sla_world.petition, taipei(2026, 11, 16, 10))  # due Tue 11-24: already breached
    received_that_day = sla_world.open(sla_world.petition, taipei(2026, 11, 24, 9))  # receipt day never counts
    hazard = sla_world.open(sla_world.hazard, taipei(2026, 11, 30, 19))  # clock hours: no calendar
    resolved = sla_world.open(sla_world.petition, taipei(2026, 11, 23, 11))
    resolved.status = CaseStatus.RESOLVED
    untouched = (breached, received_that_day, hazard, resolved)
    before = {case.id: case.due_at for case in untouched}
    _exception, moved = declare_exception(
        {"day": date(2026, 11, 24), "kind": "closure", "reason": "颱風停止上班"},
        actor=manager, now=taipei(2026, 11, 30, 20))
    assert moved == 1
    # Tue 11-24 no longer counts: Wed 25 (1), Thu (2), Fri 27 (3), Mon 30 (4), Tue 12-01 (5), Wed 12-02 (6).
    assert touched.due_at == taipei(2026, 12, 2, 17, 30)
    assert deadline_events(touched)[-1] == {"old": "2026-12-01T17:30:00+08:00", "new": "2026-12-02T17:30:00+08:00",
                                            "reason": "calendar exception declared for 2026-11-24: 颱風停止上班"}
    assert {case.id: case.due_at for case in untouched} == before
