"""The lifecycle drives routing and the SLA clock: intake routes and times, transfers, pauses, closes."""
from datetime import datetime, timedelta, timezone


from casehub.auth.models import Role
from casehub.cases.models import CaseStatus
from casehub.cases.services import perform_action
from casehub.extensions import db
from casehub.routing.models import RoutingRule

RECEIVED = datetime(2026, 11, 26, 15, 10, tzinfo=timezone.utc)  # 23:10 in Taipei


def test_intake_routes_by_rule_and_records_why(make_case, make_category, make_agency, make_district):
    district = make_district()
    office = make_agency(code="DO-TEST")
    category = make_category()
    db.session.add(RoutingRule(position=1, name="區公所處理", category=category, district=district, agency=office))
    db.session.flush()
    case = make_case(category=category, district=district)
    assert case.agency == office and case.routing_rule.name == "區公所處理"
    assert case.routing_reason["matched"] == "rule"
    other = make_case(category=category)
    assert other.agency == category.default_agency and other.routing_reason["matched"] == "category_default"


def test_hazard_received_at_2310_is_due_at_0310(make_case):
    case = make_case(received_at=RECEIVED)
    assert case.due_at == RECEIVED + timedelta(hours=4)
    assert case.next_action_at is not None


def test_case_nobody_may_take_waits_for_the_dispatch_centre(make_case, make_category, make_agency, make_user):
    category = make_category(default_agency=make_agency(active=False))
    case = make_case(category=category, received_at=RECEIVED)
    assert case.status == CaseStatus.RECEIVED and case.agency is None
    assert [event.type for event in case.events][:2] == ["received", "routing_failed"]
    perform_action(case, "reassign", actor=make_user(Role.OPERATOR), agency=make_agency().code, now=RECEIVED)
    assert case.status == CaseStatus.ASSIGNED and case.due_at == RECEIVED + timedelta(hours=4)


def test_transfer_gives_the_dispatch_centre_a_working_day_then_reassignment_restarts_the_clock(
        case_in_status, make_agency, make_user):
    case, _staff, operator = case_in_status(CaseStatus.TRANSFER_REQUESTED)
    assert case.due_explanation["clock"] == "reassignment"
    later = case.received_at + timedelta(hours=1)
    perform_action(case, "reassign", actor=operator, agency=make_agency().code, now=later)
    assert case.due_at == later + timedelta(hours=4)


def test_closed_and_cancelled_cases_leave_the_sweep(case_in_status):
    for status in (CaseStatus.RESOLVED, CaseStatus.CANCELLED, CaseStatus.MERGED):
        case, _staff, _operator = case_in_status(status)
        assert case.next_action_at is None


def test_waiting_for_the_citizen_stops_the_clock(case_in_status):
    case, staff, _operator = case_in_status(CaseStatus.ACCEPTED)
    due = case.due_at
    asked = case.received_at + timedelta(hours=1)
    perform_action(case, "request_info", actor=staff, message="請提供照片", now=asked)
    assert case.paused_at == asked and case.next_action_at is None
    perform_action(case, "resume", actor=staff, now=asked + timedelta(hours=2))
    assert case.due_at == due + timedelta(hours=2)


def test_agency_that_refused_is_not_suggested_again(case_in_status, make_agency, make_district, make_user):
    from casehub.cases.services import suggest_reassignment

    case, _staff, operator = case_in_status(CaseStatus.TRANSFER_REQUESTED)
    refused = case.agency
    assert suggest_reassignment(case).agency is None  # the category's default agency is the one that refused
    fallback = make_agency()
    db.session.add(RoutingRule(position=9, name="fallback", category=case.category, agency=fallback))
    db.session.add(RoutingRule(position=1, name="refused first", category=case.category, agency=refused))
    db.session.flush()
    decision = suggest_reassignment(case)
    assert decision.agency == fallback
    assert [passed["agency"] for passed in decision.explanation["passed_over"]] == [refused.code]
