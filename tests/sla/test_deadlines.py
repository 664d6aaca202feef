"""Deadlines a civil servant would compute by hand: each expected value is counted in the comments.

Petitions: six working days, counted from the next working day after receipt, due at the end
of office hours (17:30) on the sixth.
"""
from datetime import date, time

import pytest
import sqlalchemy as sa

from casehub.cases.models import CaseEvent
from casehub.extensions import db
from casehub.sla.calendar import BusinessCalendar
from casehub.sla.models import CalendarException, CalendarExceptionKind
from casehub.sla.services import compute_deadline
from tests.sla import taipei


def declare(day: date, reason: str = "颱風停止上班", **window) -> None:
    db.session.add(CalendarException(day=day, kind=CalendarExceptionKind.CLOSURE, reason=reason, **window))
    db.session.flush()


def due(world, received_at):
    return compute_deadline(world.petition.sla_policy, received_at, calendar=BusinessCalendar.load())


def test_hazard_received_at_2310_is_due_at_0310(sla_world):
    case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 23, 10))
    # Four clock hours, through the night: 23:10 -> 03:10 the next day.
    assert case.due_at == taipei(2026, 11, 27, 3, 10)
    assert case.first_response_due_at == taipei(2026, 11, 26, 23, 40)
    assert case.due_explanation["clock"] == "hours"
    assert case.due_explanation["due_at"] == "2026-11-27T03:10:00+08:00"
    assert case.sla_policy_id == sla_world.hazard.sla_policy_id
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.type == "deadline_changed"))
    assert (event.details["old"], event.details["new"]) == (None, "2026-11-27T03:10:00+08:00")


def test_petition_received_before_lunar_new_year_2027(sla_world):
    deadline = due(sla_world, taipei(2027, 2, 3, 10))
    # Received Wed 02-03. Skipped: Thu 02-04 and Fri 02-05 農曆除夕, Sat 02-06 to Mon 02-08 春節,
    # Tue 02-09 and Wed 02-10 春節 (observed). Counted: Thu 02-11 (1), Fri 02-12 (2), weekend
    # skipped, Mon 02-15 (3), Tue 02-16 (4), Wed 02-17 (5), Thu 02-18 (6).
    assert deadline.due_at == taipei(2027, 2, 18, 17, 30)
    skipped = {entry["day"]: entry["reason"] for entry in deadline.explanation["skipped"]}
    assert skipped["2027-02-04"] == "national holiday: 農曆除夕"
    assert skipped["2027-02-08"] == "national holiday: 春節"
    assert skipped["2027-02-13"] == "weekend"
    assert [entry["day"] for entry in deadline.explanation["counted"]][0] == "2027-02-11"


def test_petition_received_the_day_before_a_make_up_working_saturday(sla_world):
    deadline = due(sla_world, taipei(2025, 2, 7, 9))
    # Received Fri 2025-02-07. Sat 02-08 is a make-up working day (for Mon 01-27): counted (1).
    # Sun 02-09 skipped; Mon 02-10 (2), Tue (3), Wed (4), Thu (5), Fri 02-14 (6).
    assert deadline.due_at == taipei(2025, 2, 14, 17, 30)
    assert deadline.explanation["counted"][0] == {"day": "2025-02-08", "n": 1, "code": "make_up_working_day",
                                                  "reason": "make-up working day counted"}


def test_petition_around_a_declared_typhoon_day(sla_world):
    declare(date(2026, 7, 16))
    # Received Wed 07-15. Thu 07-16 closed (typhoon): skipped. Fri 07-17 (1), weekend skipped,
    # Mon 07-20 (2), Tue (3), Wed (4), Thu 07-23 (5), Fri 07-24 (6). Without the closure: Thu 07-23.
    deadline = due(sla_world, taipei(2026, 7, 15, 14))
    assert deadline.due_at == taipei(2026, 7, 24, 17, 30)
    assert {"day": "2026-07-16", "code": "closure", "reason": "closure declared: 颱風停止上班", "name": "颱風停止上班"} \
        in deadline.explanation["skipped"]
    # Received on the typhoon day itself (the app never closes): the day of receipt is not counted
    # anyway, so Fri 07-17 is day 1 and Fri 07-24 day 6.
    assert due(sla_world, taipei(2026, 7, 16, 9)).due_at == taipei(2026, 7, 24, 17, 30)


def test_petition_received_on_the_friday_before_a_long_weekend(sla_world):
    deadline = due(sla_world, taipei(2026, 10, 23, 16))
    # Received Fri 10-23. Sat 10-24 weekend, Sun 10-25 Retrocession Day, Mon 10-26 its observed day
    # off. Tue 10-27 (1), Wed (2), Thu (3), Fri 10-30 (4), weekend, Mon 11-02 (5), Tue 11-03 (6).
    assert deadline.due_at == taipei(2026, 11, 3, 17, 30)
    assert [entry["code"] for entry in deadline.explanation["skipped"][:3]] == \
        ["weekend", "national_holiday", "national_holiday"]


@pytest.mark.parametrize(("window", "expected"), [
    # Offices closed from noon on the sixth day: a deadline cannot end there; it moves to Wed 11-04.
    ({"closed_from": time(12), "closed_until": time(17, 30)}, taipei(2026, 11, 4, 17, 30)),
    # Closed only in the morning: the sixth day still ends at 17:30.
    ({"closed_from": time(8), "closed_until": time(12)}, taipei(2026, 11, 3, 17, 30)),
])
def test_partial_closure_on_the_last_day(sla_world, window, expected):
    declare(date(2026, 11, 3), "颱風半日停止上班", **window)
    assert due(sla_world, taipei(2026, 10, 23, 16)).due_at == expected
