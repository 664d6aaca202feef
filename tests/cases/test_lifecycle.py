"""Every transition, allowed and refused, per role; events; versions; duplicates."""
import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import CaseEvent, CaseReporter, CaseStatus
from casehub.cases.services import TRANSITIONS, perform_action
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.sla.models import SlaClock

PARAMS = {
    "resolve": {"reply": "已派員修復完成"}, "request_transfer": {"reason": "非本機關權責"},
    "request_info": {"message": "請提供詳細地址"}, "request_extension": {"days": 5, "reason": "需會勘"},
    "reopen": {"reason": "問題仍在"}, "cancel": {"reason": "民眾撤案"}, "note": {"text": "已電話聯繫"},
}
EXPECTED_TARGET = {
    "accept": CaseStatus.ACCEPTED, "resolve": CaseStatus.RESOLVED,
    "request_transfer": CaseStatus.TRANSFER_REQUESTED, "reassign": CaseStatus.ASSIGNED,
    "request_info": CaseStatus.WAITING_FOR_CITIZEN, "resume": CaseStatus.ACCEPTED, "close": CaseStatus.CLOSED,
    "reopen": CaseStatus.ASSIGNED, "cancel": CaseStatus.CANCELLED, "merge": CaseStatus.MERGED,
}


def _params(action, case, make_case, make_agency, make_user):
    if action == "reassign":
        return {"agency": make_agency().code}
    if action == "merge":
        return {"into": make_case(category=case.category).number}
    if action in ("approve_extension", "reject_extension"):
        perform_action(case, "request_extension", actor=make_user(Role.AGENCY_STAFF, agency=case.agency),
                       days=3, reason="需會勘")
        return {}
    return dict(PARAMS.get(action, {}))


EXTENSION_ACTIONS = ("request_extension", "approve_extension", "reject_extension")


@pytest.fixture
def petition_category(make_category, make_policy):
    """A category on the working-day clock: the only kind whose deadline can be extended."""
    policy = make_policy(clock=SlaClock.WORKING_DAYS, resolution_target=6, first_response_minutes=480,
                         reminder_thresholds=[1], escalation_cycle=1)
    return make_category(kind="petition", sla_policy=policy)


def _overrides(action, petition_category):
    return {"category": petition_category} if action in EXTENSION_ACTIONS else {}


def _actor(role, case, make_user, make_agency, *, own_agency=True):
    if role.needs_agency:
        return make_user(role, agency=case.agency if own_agency else make_agency())
    return make_user(role)


LEGAL = [(action, source) for action, t in TRANSITIONS.items() for source in t.sources
         if source not in (CaseStatus.RECEIVED,)]


@pytest.mark.parametrize("action, source", LEGAL, ids=[f"{a}-from-{s}" for a, s in LEGAL])
def test_each_legal_transition_works_for_allowed_roles_and_writes_an_event(
        action, source, case_in_status, make_user, make_case, make_agency, petition_category):
    case, _staff, _operator = case_in_status(source, **_overrides(action, petition_category))
    role = sorted(TRANSITIONS[action].roles)[0]
    params = _params(action, case, make_case, make_agency, make_user)
    events_before = len(case.events)
    version_before = case.version
    perform_action(case, action, actor=_actor(role, case, make_user, make_agency), **params)
    assert case.status == EXPECTED_TARGET.get(action, source)
    db.session.refresh(case)
    assert len(case.events) > events_before
    assert case.version > version_before


REFUSED_ROLES = [(action, role) for action, t in TRANSITIONS.items() for role in Role if role not in t.roles]


@pytest.mark.parametrize("action, role", REFUSED_ROLES, ids=[f"{a}-by-{r}" for a, r in REFUSED_ROLES])
def test_roles_not_allowed_are_refused_with_403_and_nothing_changes(
        action, role, case_in_status, make_user, make_case, make_agency, petition_category):
    source = sorted(TRANSITIONS[action].sources)[0]
    if source == CaseStatus.RECEIVED:
        source = CaseStatus.ASSIGNED
    case, _staff, _operator = case_in_status(source, **_overrides(action, petition_category))
    params = _params(action, case, make_case, make_agency, make_user)
    status, events = case.status, len(case.events)
    with pytest.raises(DomainError) as refused:
        perform_action(case, action, actor=_actor(role, case, make_user, make_agency), **params)
    assert refused.value.status == 403
    assert case.status == status and len(case.events) == events


ILLEGAL = [(action, status) for action, t in TRANSITIONS.items() for status in CaseStatus
           if status not in t.sources and status is not CaseStatus.RECEIVED]


@pytest.mark.parametrize("action, status", ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_illegal_transitions_are_refused_with_409(action, status, case_in_status, make_user, make_case, make_agency):
    case, _staff, _operator = case_in_status(status)
    role = sorted(TRANSITIONS[action].roles)[0]
    params = dict(PARAMS.get(action, {}))
    with pytest.raises(DomainError) as refused:
        perform_action(case, action, actor=_actor(role, case, make_user, make_agency), **params)
    assert refused.value.status == 409
    assert case.status == status


def test_agency_staff_of_another_agency_get_404(case_in_status, make_user, make_agency):
    case, _staff, _operator = case_in_status(CaseStatus.ASSIGNED)
    outsider = make_user(Role.AGENCY_STAFF, agency=make_agency())
    with pytest.raises(DomainError) as refused:
        perform_action(case, "accept", actor=outsider)
    assert refused.value.status == 404


def test_required_fields_are_named(case_in_status):
    case, staff, _operator = case_in_status(CaseStatus.ACCEPTED)
    with pytest.raises(DomainError) as refused:
        perform_action(case, "resolve", actor=staff)
    assert refused.value.fields == {"reply": ["Required for this action."]}
    assert case.status == CaseStatus.ACCEPTED


def test_stale_version_is_a_conflict(case_in_status):
    case, staff, _operator = case_in_status(CaseStatus.ASSIGNED)
    stale = case.version
    perform_action(case, "note", actor=staff, text="first")
    with pytest.raises(DomainError) as refused:
        perform_action(case, "accept", actor=staff, version=stale)
    assert refused.value.status == 409 and refused.value.code == "stale_version"


def test_full_path_from_intake_to_close_is_in_the_timeline(case_in_status):
    case, staff, operator = case_in_status(CaseStatus.ASSIGNED)
    perform_action(case, "accept", actor=staff)
    perform_action(case, "request_info", actor=staff, message="請提供照片")
    perform_action(case, "resume", actor=staff)
    perform_action(case, "resolve", actor=staff, reply="已修復")
    perform_action(case, "close", actor=operator)
    types = db.session.scalars(sa.select(CaseEvent.type).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    assert list(types) == ["received", "assigned", "deadline_changed", "accepted", "info_requested",
                           "deadline_changed", "resumed", "deadline_changed", "resolved", "closed"]


def test_reopen_counts_and_returns_to_the_agency(case_in_status):
    case, staff, operator = case_in_status(CaseStatus.CLOSED)
    perform_action(case, "reopen", actor=operator, reason="路燈又壞了")
    assert case.status == CaseStatus.ASSIGNED and case.reopened_count == 1 and case.closed_at is None


def test_extension_request_then_decision(case_in_status, make_user, petition_category):
    case, staff, _operator = case_in_status(CaseStatus.ACCEPTED, category=petition_category)
    plain_staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    perform_action(case, "request_extension", actor=plain_staff, days=5, reason="需跨機關會勘")
    with pytest.raises(DomainError):
        perform_action(case, "request_extension", actor=plain_staff, days=5, reason="again")
    with pytest.raises(DomainError) as refused:
        perform_action(case, "approve_extension", actor=plain_staff)
    assert refused.value.status == 403
    due_before = case.due_at
    perform_action(case, "approve_extension", actor=staff)
    assert case.extension_requested_days is None
    decided, moved = case.events[-2:]
    assert decided.type == "extension_approved" and decided.details["days"] == 5
    assert moved.type == "deadline_changed" and case.due_at > due_before


def test_merge_moves_the_reporter_to_the_surviving_case(case_in_status, make_case):
    case, _staff, operator = case_in_status(CaseStatus.ASSIGNED, reporter={"name": "李大華", "phone": "0922333444"})
    survivor = make_case(category=case.category)
    perform_action(case, "merge", actor=operator, into=survivor.number)
    assert case.status == CaseStatus.MERGED and case.merged_into == survivor
    reporters = db.session.scalars(sa.select(CaseReporter).where(CaseReporter.case_id == survivor.id)).all()
    assert [r.phone for r in reporters] == ["0922333444"]


def test_merge_into_itself_or_unknown_is_refused(case_in_status):
    case, _staff, operator = case_in_status(CaseStatus.ASSIGNED)
    for into in (case.number, "20000101-000001"):
        with pytest.raises(DomainError) as refused:
            perform_action(case, "merge", actor=operator, into=into)
        assert refused.value.fields == {"into": ["Must be the number of another open case."]}


def test_reassign_to_a_deactivated_agency_is_refused(case_in_status, make_agency, make_user):
    case, _staff, _operator = case_in_status(CaseStatus.TRANSFER_REQUESTED)
    closed = make_agency(active=False)
    with pytest.raises(DomainError) as refused:
        perform_action(case, "reassign", actor=make_user(Role.OPERATOR), agency=closed.code)
    assert refused.value.code == "agency_inactive"
