"""A generated city for the report tests: two agencies, hazards and petitions, three districts, about eighty cases
driven through the real lifecycle over twelve days (letters keyed in late, pauses, extensions, transfers,
reopenings, cancellations, merges), citizens' ratings and a day's calls."""
import random
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from casehub.auth.models import Role
from casehub.cases.models import CaseStatus, Channel, SatisfactionResponse
from casehub.cases.services import open_case, perform_action
from casehub.directory.models import CaseKind
from casehub.extensions import db
from casehub.intake.models import Call, CallOutcome
from casehub.sla.models import SlaClock
from tests.sla import taipei

FIRST_DAY, LAST_DAY = date(2026, 9, 21), date(2026, 10, 2)  # Mid-Autumn Festival (25th) and a weekend inside
NOW = taipei(2026, 10, 2, 15, 30)
REPORTER = {"name": "王小明", "phone": "0912345678", "email": "wang@example.test"}
FATES = ("open", "accepted", "resolved", "late", "reopened", "cancelled", "paused", "transfer", "extended", "merged")


class Timeline:
    """Actions on one case at increasing times, all before NOW (later ones are simply not taken)."""

    def __init__(self, case, rng: random.Random, start: datetime, world):
        self.case, self.rng, self.at, self.world = case, rng, start, world

    def act(self, action: str, actor=None, *, after: timedelta | None = None, **params) -> bool:
        self.at += after if after is not None else timedelta(minutes=self.rng.randint(20, 2000))
        if self.at >= NOW:
            return False
        actor = actor or self.world.supervisors[self.case.agency_id]
        perform_action(self.case, action, actor=actor, now=self.at, **params)
        return True


def _drive(case, fate: str, timeline: Timeline, world, rng: random.Random, open_cases: list) -> None:
    operator = world.operator
    if fate == "accepted":
        timeline.act("accept")
    elif fate in ("resolved", "reopened"):
        if rng.random() < 0.7:
            timeline.act("accept", after=timedelta(minutes=rng.randint(5, 90)))
        if timeline.act("resolve", reply="已處理") and fate == "reopened" \
                and timeline.act("reopen", operator, reason="民眾不滿意") and rng.random() < 0.6:
            timeline.act("resolve", reply="再次處理")
    elif fate == "late":
        late_by = case.due_at - timeline.at + timedelta(minutes=rng.randint(10, 3000))
        timeline.act("resolve", after=max(late_by, timedelta(minutes=1)), reply="已處理")
    elif fate == "cancelled":
        timeline.act("cancel", operator, reason="重複陳情")
    elif fate == "paused":
        if timeline.act("accept") and timeline.act("request_info", message="請提供地址") and rng.random() < 0.5:
            timeline.act("resume") and timeline.act("resolve", reply="已處理")
    elif fate == "transfer":
        other = next(agency for agency in world.agencies if agency.id != case.agency_id)
        if timeline.act("request_transfer", reason="非本機關業務"):
            timeline.act("reassign", operator, agency=other.code) and rng.random() < 0.5 \
                and timeline.act("resolve", reply="已處理")
    elif fate == "extended":
        if case.kind is CaseKind.PETITION and timeline.act("accept") \
                and timeline.act("request_extension", days=2, reason="需會勘"):
            timeline.act("approve_extension") and timeline.act("resolve", reply="已處理")
    elif fate == "merged":
        targets = [target for target in open_cases if target.status.is_open and target.id != case.id]
        if targets:
            timeline.act("merge", operator, into=rng.choice(targets).number)


@pytest.fixture
def report_world(make_agency, make_category, make_policy, make_district, make_user):
    """The generated city, committed; `world.now` is the moment the tests read it at."""
    rng = random.Random(1999)
    agencies = [make_agency(), make_agency()]
    hazard = make_policy(resolution_target=4, first_response_minutes=30)
    petition = make_policy(code="petition3", clock=SlaClock.WORKING_DAYS, resolution_target=3,
                           first_response_minutes=240, reminder_thresholds=[1], escalation_cycle=1)
    kinds = ((CaseKind.DISPATCH, hazard), (CaseKind.PETITION, petition))
    categories = [make_category(default_agency=agency, kind=kind, sla_policy=policy)
                  for agency in agencies for kind, policy in kinds]
    world = SimpleNamespace(
        agencies=agencies, categories=categories, districts=[make_district() for _ in range(3)],
        supervisors={agency.id: make_user(Role.AGENCY_SUPERVISOR, agency=agency, email=f"lead{n}@example.test")
                     for n, agency in enumerate(agencies)},
        operator=make_user(Role.OPERATOR), manager=make_user(Role.MANAGER), now=NOW,
        first=FIRST_DAY, last=LAST_DAY, cases=[],
    )
    span = (NOW - taipei(2026, 9, 21)).total_seconds() - 3600
    moments = sorted(taipei(2026, 9, 21) + timedelta(seconds=rng.uniform(0, span)) for _ in range(80))
    for received_at in moments:
        keyed_at = received_at
        channel = rng.choice(list(Channel))
        if channel in (Channel.WRITTEN, Channel.FAX, Channel.MAYOR_MAILBOX) and rng.random() < 0.6:
            keyed_at = min(received_at + timedelta(hours=rng.randint(2, 70)), NOW - timedelta(minutes=1))
        case, _code = open_case(category=rng.choice(categories), channel=channel, description="路燈不亮",
                                received_at=received_at, now=keyed_at, district=rng.choice([*world.districts, None]),
                                address="高雄市苓雅區四維三路2號", reporter=REPORTER)
        _drive(case, rng.choice(FATES), Timeline(case, rng, keyed_at, world), world, rng, world.cases)
        world.cases.append(case)
        if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and rng.random() < 0.6:
            rated_at = case.resolved_at + timedelta(hours=rng.randint(1, 30))
            if rated_at < NOW:
                db.session.add(SatisfactionResponse(case_id=case.id, score=rng.randint(1, 5), created_at=rated_at))
    for _ in range(150):
        started = taipei(2026, 9, 21) + timedelta(seconds=rng.uniform(0, span))
        outcome = rng.choice(list(CallOutcome))
        call = Call(started_at=started, ended_at=started + timedelta(seconds=rng.randint(30, 900)), outcome=outcome,
                    answered_immediately=rng.random() < 0.9 if outcome is CallOutcome.CONSULTATION else None,
                    caller_phone="0912345678")
        db.session.add(call)
        db.session.flush()
        if rng.random() < 0.3:
            db.session.add(SatisfactionResponse(call_id=call.id, score=rng.randint(1, 5),
                                                created_at=call.ended_at + timedelta(minutes=5)))
    db.session.commit()
    return world
