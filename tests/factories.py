"""Factories as fixtures returning callables: `make_case(**overrides)` and friends. They flush, not commit."""
import itertools

import pytest

from casehub.auth.models import Role
from casehub.auth.services import create_user
from casehub.cases.models import Channel
from casehub.cases.services import open_case
from casehub.directory.models import Agency, AgencyKind, CaseKind, Category, District
from casehub.extensions import db
from casehub.sla.models import SlaClock, SlaPolicy

DEFAULT_PASSWORD = "correct-horse-battery"
_sequence = itertools.count(1)


def _add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


@pytest.fixture
def make_agency(app):
    def _make(**overrides) -> Agency:
        n = next(_sequence)
        values = {"code": f"AG{n}", "name_zh": f"測試局{n}", "name_en": f"Test Bureau {n}",
                  "kind": AgencyKind.BUREAU, "email": f"ag{n}@example.test"}
        return _add(Agency(**values | overrides))

    return _make


@pytest.fixture
def make_district(app):
    def _make(**overrides) -> District:
        n = next(_sequence)
        return _add(District(**{"code": f"d{n}", "name_zh": f"測試{n}區", "name_en": f"Test {n} District"} | overrides))

    return _make


@pytest.fixture
def make_policy(app):
    def _make(**overrides) -> SlaPolicy:
        n = next(_sequence)
        values = {"code": f"hazard{n}", "name_zh": "四小時", "name_en": "Four hours", "clock": SlaClock.HOURS,
                  "resolution_target": 4, "first_response_minutes": 30, "reminder_thresholds": [0.5, 0.8],
                  "escalation_cycle": 4}
        return _add(SlaPolicy(**values | overrides))

    return _make


@pytest.fixture
def make_category(app, make_agency, make_policy):
    def _make(**overrides) -> Category:
        n = next(_sequence)
        values = {"code": f"cat{n}", "name_zh": f"類別{n}", "name_en": f"Category {n}", "kind": CaseKind.DISPATCH}
        values |= overrides
        values.setdefault("default_agency", make_agency())
        values.setdefault("sla_policy", make_policy())
        return _add(Category(**values))

    return _make


@pytest.fixture
def make_user(app, make_agency):
    def _make(role: Role = Role.OPERATOR, *, agency: Agency | None = None, password: str = DEFAULT_PASSWORD,
              **overrides):
        if role.needs_agency and agency is None:
            agency = make_agency()
        n = next(_sequence)
        return create_user(username=overrides.pop("username", f"user{n}"), password=password, role=role.value,
                           agency_code=agency.code if agency else None, **overrides)

    return _make


@pytest.fixture
def make_case(app, make_category):
    def _make(*, category: Category | None = None, **overrides):
        values = {"channel": Channel.PHONE, "description": "路燈不亮"} | overrides
        if "received_at" in values:
            values.setdefault("now", values["received_at"])
        case, _code = open_case(category=category or make_category(), **values)
        return case

    return _make


@pytest.fixture
def case_in_status(app, make_case, make_user):
    """A case driven to `status` through the real lifecycle actions; returns (case, agency staff, operator)."""
    from casehub.cases.models import CaseStatus
    from casehub.cases.services import perform_action

    def _make(status, **case_overrides):
        case = make_case(**case_overrides)
        staff = make_user(Role.AGENCY_SUPERVISOR, agency=case.agency)
        operator = make_user(Role.OPERATOR)
        steps = {
            CaseStatus.ASSIGNED: [],
            CaseStatus.ACCEPTED: [("accept", staff, {})],
            CaseStatus.WAITING_FOR_CITIZEN: [("accept", staff, {}), ("request_info", staff, {"message": "地址?"})],
            CaseStatus.TRANSFER_REQUESTED: [("request_transfer", staff, {"reason": "非本機關業務"})],
            CaseStatus.RESOLVED: [("resolve", staff, {"reply": "已修復"})],
            CaseStatus.CLOSED: [("resolve", staff, {"reply": "已修復"}), ("close", operator, {})],
            CaseStatus.CANCELLED: [("cancel", operator, {"reason": "重複"})],
            CaseStatus.MERGED: [("merge", operator, {"into": make_case(category=case.category).number})],
        }[CaseStatus(status)]
        for action, actor, params in steps:
            perform_action(case, action, actor=actor, **params)
        return case, staff, operator

    return _make


@pytest.fixture
def sla_world(make_agency, make_category, make_policy, make_user):
    """An agency with a mailbox, its supervisor, a manager, a four-hour hazard and a six-working-day petition.

    `sla_world.open(category, received_at)` opens a case and plans its deadline as of its receipt.
    """
    from types import SimpleNamespace

    from casehub.sla.models import SlaClock
    from casehub.sla.services import plan_deadline

    agency = make_agency()
    world = SimpleNamespace(
        agency=agency,
        hazard=make_category(default_agency=agency, kind=CaseKind.DISPATCH, sla_policy=make_policy()),
        petition=make_category(default_agency=agency, kind=CaseKind.PETITION, sla_policy=make_policy(
            code=f"petition{next(_sequence)}", clock=SlaClock.WORKING_DAYS, resolution_target=6,
            first_response_minutes=480, reminder_thresholds=[1], escalation_cycle=1)),
        supervisor=make_user(Role.AGENCY_SUPERVISOR, agency=agency, email="lead@example.test"),
        manager=make_user(Role.MANAGER, email="rdec@example.test"),
    )

    def _open(category, received_at, **overrides):
        case, _code = open_case(category=category, channel=Channel.PHONE, description="路燈不亮",
                                received_at=received_at, now=received_at, **overrides)
        plan_deadline(case, now=received_at, reason="received")
        return case

    world.open = _open
    return world


@pytest.fixture
def english_manager(client, make_user, login):
    """A signed-in manager reading the pages in English (tests read the English messages)."""
    user = make_user(Role.MANAGER)
    db.session.commit()
    login(user)
    client.post("/language/en")
    return user
