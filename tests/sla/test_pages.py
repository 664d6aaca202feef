"""The SLA pages: policies and the calendar, for managers and admins only, audited, with a deadline preview."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role
from casehub.extensions import db
from casehub.models import utcnow
from casehub.sla.calendar import BusinessCalendar
from casehub.sla.models import CalendarException, SlaClock, SlaPolicy

PAGES = ["/admin/sla/policies", "/admin/sla/policies/new", "/admin/sla/calendar"]


def policy_form(**overrides) -> dict:
    return {"code": "hazard_2h", "name_zh": "緊急（2小時）", "name_en": "Emergency (2 hours)", "clock": "hours",
            "resolution_target": "2", "first_response_minutes": "15", "reminder_thresholds": "0.5, 0.8",
            "escalation_cycle": "2", "max_total_working_days": "30", "active": "y"} | overrides


def policies() -> list[SlaPolicy]:
    return db.session.scalars(sa.select(SlaPolicy)).all()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_reach_every_page(client, make_user, login, role):
    user = make_user(role)
    db.session.commit()
    login(user)
    assert [client.get(page).status_code for page in PAGES] == [200, 200, 200]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR])
def test_other_roles_are_refused(client, make_user, login, role):
    user = make_user(role)
    db.session.commit()
    login(user)
    assert [client.get(page).status_code for page in PAGES] == [403, 403, 403]
    assert client.post("/admin/sla/policies/new", data=policy_form()).status_code == 403
    assert policies() == []


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/sla/calendar").status_code == 302


def test_manager_adds_and_edits_a_policy_with_an_audit_trail(client, english_manager):
    response = client.post("/admin/sla/policies/new", data=policy_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    policy = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.code == "hazard_2h"))
    assert (policy.clock, policy.resolution_target, policy.reminder_thresholds) == (SlaClock.HOURS, 2, [0.5, 0.8])
    response = client.post(f"/admin/sla/policies/{policy.id}", data=policy_form(resolution_target="3"))
    assert response.status_code == 302
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.actor_id) for entry in entries] == [
        ("sla_policy.create", english_manager.id), ("sla_policy.update", english_manager.id)]
    assert (entries[1].before, entries[1].after) == ({"resolution_target": 2}, {"resolution_target": 3})


@pytest.mark.parametrize(("field", "value", "message"), [
    ("resolution_target", "0", "Must be a whole number above zero."),
    ("resolution_target", "-4", "Must be a whole number above zero."),
    ("first_response_minutes", "", "Must be a whole number above zero."),
    ("reminder_thresholds", "0.5, 1.5", "Each threshold is a fraction of the time between 0 and 1"),
    ("reminder_thresholds", "half", "Thresholds are numbers separated by commas."),
])
def test_bad_policies_are_refused_beside_the_field(client, english_manager, field, value, message):
    response = client.post("/admin/sla/policies/new", data=policy_form(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert policies() == []


def test_working_day_thresholds_must_fall_before_the_deadline(client, english_manager):
    response = client.post("/admin/sla/policies/new", data=policy_form(
        clock="working_days", resolution_target="6", reminder_thresholds="6", max_total_working_days="5"))
    page = response.get_data(as_text=True)
    assert "below the target" in page and "Must be at least the resolution target." in page
    assert policies() == []


def test_preview_shows_when_a_hazard_received_then_would_be_due(client, english_manager, make_category):
    category = make_category(name_en="Street light out")
    db.session.commit()
    page = client.get(f"/admin/sla/policies?category={category.id}&received_at=2026-11-26T23:10").get_data(
        as_text=True)
    assert "A case of Street light out received at 2026-11-26 23:10 would be due at 2026-11-27 03:10." in page


def test_declaring_a_typhoon_closure_recomputes_deadlines_and_says_how_many(client, english_manager, sla_world):
    case = sla_world.open(sla_world.petition, utcnow())
    db.session.commit()
    first_counted = case.due_explanation["counted"][0]["day"]
    response = client.post("/admin/sla/calendar", data={
        "day": first_counted, "kind": "closure", "reason": "颱風停止上班"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Deadlines recomputed: 1 open cases." in page
    assert f"<time>{first_counted}</time>" in page  # listed under the year's declared exceptions
    db.session.expire_all()
    # Weekends before the first counted day are skipped too, depending on today's date.
    skipped = {day["day"]: day["reason"] for day in case.due_explanation["skipped"]}
    assert skipped[first_counted] == "closure declared: 颱風停止上班"
    assert db.session.scalar(sa.select(AuditEntry.action)) == "calendar_exception.create"


def _days_from_today() -> tuple[str, str]:
    """The next working day and the next weekend day, as the form types them."""
    calendar = BusinessCalendar.load()
    today = calendar.local(utcnow()).date()
    working = calendar.add_working_days(today, 1)
    coming = [today + timedelta(days=n) for n in range(1, 15)]
    day_off = next(day for day in coming if not calendar.is_working_day(day))
    return working.isoformat(), day_off.isoformat()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"day": "2026-02-30"}, "day", "Not a valid date value."),
    ({"day": "day_off"}, "day", "Offices are already closed that day."),
    ({"day": "working", "closed_from": "12:00"}, "closed_until", "Give both times of a partial closure"),
    ({"day": "working", "closed_from": "18:00", "closed_until": "20:00"}, "closed_from", "within office hours"),
    ({"day": "working", "kind": "working_day"}, "day", "That day is already a working day."),
    ({"day": "working", "reason": ""}, "reason", "This field is required."),
    ({"day": "1999-09-21"}, "day", "Choose a day from last year to two years ahead."),
])
def test_bad_calendar_exceptions_are_refused(client, english_manager, data, field, message):
    working, day_off = _days_from_today()
    data["day"] = {"working": working, "day_off": day_off}.get(data["day"], data["day"])
    response = client.post("/admin/sla/calendar", data={"kind": "closure", "reason": "颱風"} | data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(sa.select(sa.func.count(CalendarException.id))) == 0
