"""The case lifecycle: opening a case and every transition after it.

A case's status changes only in `_move_to`, called from `open_case` and `perform_action`.
Every change writes an append-only CaseEvent (who, when, from, to, details).
"""
import secrets
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from casehub.auth.access import can_see_agency
from casehub.auth.models import Role, User, hash_secret
from casehub.cases.models import (
    OPEN_STATUSES, Case, CaseEvent, CaseNumberCounter, CaseReporter, CaseStatus, Channel, ContactPreference,
)
from casehub.directory.models import Agency, Category, District
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.models import city_zone, utcnow
from casehub.routing.services import route_case
from casehub.sla.calendar import BusinessCalendar
from casehub.sla.models import SlaClock
from casehub.sla.services import extend_deadline, pause_clock, plan_deadline, plan_reassignment, resume_clock

AGENCY_ROLES = frozenset({Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR})
DISPATCH_ROLES = frozenset({Role.OPERATOR, Role.MANAGER})
MAX_EXTENSION_WORKING_DAYS = 30
# 50 random bits, read aloud over the phone without confusing 0/O or 1/I.
TRACKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TRACKING_CODE_LENGTH = 10


def next_case_number(day: date) -> str:
    """`YYYYMMDD-NNNNNN`: unique under concurrency (one atomic upsert), sortable by date."""
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = CaseNumberCounter.__table__
    stmt = (
        dialect_insert(table)
        .values(day=day, last_value=1)
        .on_conflict_do_update(index_elements=[table.c.day], set_={"last_value": table.c.last_value + 1})
        .returning(table.c.last_value)
    )
    sequence = db.session.execute(stmt).scalar_one()
    return f"{day:%Y%m%d}-{sequence:06d}"


def _record(case: Case, *, type: str, actor: User | None, now: datetime, details: dict | None = None,
            from_status: CaseStatus | None = None, to_status: CaseStatus | None = None) -> CaseEvent:
    event = CaseEvent(case=case, at=now, actor=actor, type=type, from_status=from_status, to_status=to_status,
                      details=details or {})
    db.session.add(event)
    return event


def _move_to(case: Case, target: CaseStatus, *, type: str, actor: User | None, now: datetime,
             details: dict | None = None) -> CaseEvent:
    """The one place a case's status changes."""
    previous = case.status
    case.status = target
    if not target.is_open:
        case.next_action_at = None  # resolved, closed, cancelled and merged cases are never reminded
    return _record(case, type=type, actor=actor, now=now, details=details, from_status=previous, to_status=target)


def _assign(case: Case, agency: Agency, *, actor: User | None, now: datetime, type: str, reason: dict) -> None:
    if not agency.active:
        raise DomainError("agency_inactive", f"Agency {agency.code} is deactivated and takes no new cases.",
                          status=422, fields={"agency": ["This agency is deactivated."]})
    case.agency = agency
    case.assigned_at = now
    case.accepted_at = None
    _move_to(case, CaseStatus.ASSIGNED, type=type, actor=actor, now=now,
             details={"agency": agency.code, **reason})


def open_case(
    *, category: Category, channel: Channel, description: str, received_at: datetime | None = None,
    district: District | None = None, address: str | None = None, lat=None, lng=None,
    reporter: dict | None = None, attributes: dict | None = None, created_by: User | None = None,
    now: datetime | None = None,
) -> tuple[Case, str]:
    """Number and save a new case, write its "received" event and assign it to its agency.

    Returns the case and its private tracking code, which is shown once and stored only hashed.
    """
    now = now or utcnow()
    received_at = received_at or now
    if received_at > now:
        raise DomainError("received_in_future", "received_at cannot be in the future.", status=422,
                          fields={"received_at": [N_("Must not be in the future.")]})
    if not category.active:
        raise DomainError("category_inactive", f"Category {category.code} is no longer in use.", status=422,
                          fields={"category": ["This category is no longer in use."]})
    # Every read happens before the case exists, so the case is written once, not inserted then updated.
    decision = route_case(category, district=district, description=description, attributes=attributes)
    calendar = BusinessCalendar.load()
    policy = category.sla_policy
    local_day = received_at.astimezone(city_zone()).date()
    number = next_case_number(local_day)
    tracking_code = "".join(secrets.choice(TRACKING_CODE_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))
    reporter = reporter or {}
    case = Case(
        number=number, tracking_code_hash=hash_secret(tracking_code),
        kind=category.kind, channel=channel, status=CaseStatus.RECEIVED, category=category, sla_policy=policy,
        description=description, district=district, address=address, lat=lat, lng=lng,
        attributes=attributes or {}, received_at=received_at,
        reporter_name=reporter.get("name"), reporter_phone=reporter.get("phone"),
        reporter_email=reporter.get("email"), reporter_anonymous=reporter.get("anonymous", False),
        contact_preference=ContactPreference(reporter.get("contact_preference", "none")),
        created_by=created_by, created_at=now, routing_rule=decision.rule, routing_reason=decision.explanation,
        # Column defaults apply only at INSERT; the SLA clock reads these before the case is written.
        paused_seconds=0, extended_working_days=0, deadline_version=0, escalation_level=0, reopened_count=0,
    )
    db.session.add(case)
    _record(case, type="received", actor=created_by, now=now, to_status=CaseStatus.RECEIVED,
            details={"channel": channel.value, "received_at": received_at.isoformat()})
    if decision.agency is None:
        # Nothing may take it (agency deactivated): the dispatch centre assigns it by hand, within a working day.
        _record(case, type="routing_failed", actor=None, now=now, details=decision.explanation)
        plan_reassignment(case, now=now)
    else:
        _assign(case, decision.agency, actor=None, now=now, type="assigned", reason={"routing": decision.explanation})
        plan_deadline(case, now=now, reason="routed to " + decision.agency.code, calendar=calendar)
    db.session.flush()
    return case, tracking_code


@dataclass(frozen=True)
class Transition:
    sources: frozenset[CaseStatus]
    target: CaseStatus | None  # None: the status stays, only an event is written
    roles: frozenset[Role]


WORKING_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.WAITING_FOR_CITIZEN})
TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({CaseStatus.ASSIGNED}), CaseStatus.ACCEPTED, AGENCY_ROLES),
    "resolve": Transition(frozenset({CaseStatus.ASSIGNED, CaseStatus.ACCEPTED}), CaseStatus.RESOLVED, AGENCY_ROLES),
    "request_transfer": Transition(frozenset({CaseStatus.ASSIGNED, CaseStatus.ACCEPTED}),
                                   CaseStatus.TRANSFER_REQUESTED, AGENCY_ROLES),
    "reassign": Transition(frozenset({CaseStatus.RECEIVED, CaseStatus.TRANSFER_REQUESTED, CaseStatus.ASSIGNED,
                                      CaseStatus.ACCEPTED}), CaseStatus.ASSIGNED, DISPATCH_ROLES),
    "request_info": Transition(frozenset({CaseStatus.ACCEPTED}), CaseStatus.WAITING_FOR_CITIZEN, AGENCY_ROLES),
    "resume": Transition(frozenset({CaseStatus.WAITING_FOR_CITIZEN}), CaseStatus.ACCEPTED,
                         AGENCY_ROLES | {Role.OPERATOR}),
    "request_extension": Transition(WORKING_STATUSES, None, AGENCY_ROLES),
    "approve_extension": Transition(WORKING_STATUSES, None, frozenset({Role.AGENCY_SUPERVISOR})),
    "reject_extension": Transition(WORKING_STATUSES, None, frozenset({Role.AGENCY_SUPERVISOR})),
    "close": Transition(frozenset({CaseStatus.RESOLVED}), CaseStatus.CLOSED, DISPATCH_ROLES),
    "reopen": Transition(frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED}), CaseStatus.ASSIGNED, DISPATCH_ROLES),
    "cancel": Transition(OPEN_STATUSES, CaseStatus.CANCELLED, DISPATCH_ROLES),
    "merge": Transition(OPEN_STATUSES, CaseStatus.MERGED, DISPATCH_ROLES),
    "note": Transition(frozenset(CaseStatus), None, AGENCY_ROLES | DISPATCH_ROLES),
}
ACTIONS = tuple(TRANSITIONS)


def allowed_actions(case: Case, user: User) -> list[str]:
    """The actions `user` may take on `case` now, for the case page's buttons."""
    if not can_see_agency(user, case.agency_id):
        return []
    return [name for name, transition in TRANSITIONS.items()
            if user.role in transition.roles and case.status in transition.sources
            and _precondition_problem(name, case) is None]


def _precondition_problem(action: str, case: Case) -> str | None:
    pending = case.extension_requested_days is not None
    if action in ("approve_extension", "reject_extension") and not pending:
        return "There is no pending extension request."
    if action == "request_extension" and pending:
        return "An extension request is already pending."
    if action == "request_extension" and case.sla_policy and case.sla_policy.clock != SlaClock.WORKING_DAYS:
        return "Only working-day deadlines can be extended; hazards are due in clock hours."
    return None


def _required(params: dict, *names: str) -> None:
    missing = {name: [N_("Required for this action.")] for name in names if not params.get(name)}
    if missing:
        raise DomainError("validation_failed", "Some fields are invalid.", status=422, fields=missing)


def perform_action(case: Case, action: str, *, actor: User, now: datetime | None = None,
                   version: int | None = None, **params) -> Case:
    """Apply one lifecycle action, checking the actor's role and agency and the case's version."""
    now = now or utcnow()
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError("unknown_action", f"Unknown action '{action}'.", status=404)
    if not can_see_agency(actor, case.agency_id):
        raise DomainError("not_found", "No such case.", status=404)
    if actor.role not in transition.roles:
        raise DomainError("forbidden", f"Your role may not {action.replace('_', ' ')} cases.", status=403)
    if version is not None and version != case.version:
        raise DomainError("stale_version", "Someone else changed this case; reload it and try again.",
                          status=409, fields={"version": [f"Current version is {case.version}."]})
    if case.status not in transition.sources:
        raise DomainError("illegal_transition", f"Cannot {action.replace('_', ' ')} a case that is {case.status}.",
                          status=409)
    problem = _precondition_problem(action, case)
    if problem:
        raise DomainError("illegal_transition", problem, status=409)
    _HANDLERS[action](case, transition, actor=actor, now=now, **params)
    case.updated_at = now
    db.session.flush()
    return case


CITIZEN_ACTIONS = ("reopen",)


def perform_citizen_action(case: Case, action: str, *, now: datetime | None = None, **params) -> Case:
    """An action taken by the citizen (tracking page, app) rather than staff: no role, no agency."""
    now = now or utcnow()
    if action not in CITIZEN_ACTIONS:
        raise DomainError("forbidden", f"Citizens may not {action.replace('_', ' ')} cases.", status=403)
    transition = TRANSITIONS[action]
    if case.status not in transition.sources:
        raise DomainError("illegal_transition", f"Cannot {action.replace('_', ' ')} a case that is {case.status}.",
                          status=409)
    _HANDLERS[action](case, transition, actor=None, now=now, **params)
    case.updated_at = now
    db.session.flush()
    return case


def _accept(case, transition, *, actor, now):
    case.accepted_at = now
    _move_to(case, transition.target, type="accepted", actor=actor, now=now)


def _resolve(case, transition, *, actor, now, reply=None):
    _required({"reply": reply}, "reply")
    case.reply = reply
    case.resolved_at = now
    case.accepted_at = case.accepted_at or now
    _move_to(case, transition.target, type="resolved", actor=actor, now=now, details={"reply": reply})


def _request_transfer(case, transition, *, actor, now, reason=None):
    _required({"reason": reason}, "reason")
    _move_to(case, transition.target, type="transfer_requested", actor=actor, now=now,
             details={"reason": reason, "agency": case.agency.code})
    db.session.flush()
    plan_reassignment(case, now=now, actor=actor)


def _reassign(case, transition, *, actor, now, agency=None):
    _required({"agency": agency}, "agency")
    target = db.session.scalar(sa.select(Agency).where(Agency.code == agency))
    if target is None:
        raise DomainError("unknown_agency", f"Unknown agency '{agency}'.", status=422,
                          fields={"agency": ["No agency has this code."]})
    if target.id == case.agency_id:
        raise DomainError("same_agency", "The case is already with this agency.", status=422,
                          fields={"agency": ["Choose another agency."]})
    _assign(case, target, actor=actor, now=now, type="reassigned",
            reason={"from_agency": case.agency.code if case.agency else None})
    db.session.flush()
    plan_deadline(case, now=now, actor=actor, restart_clock=True, reason="reassigned to " + target.code)


def _request_info(case, transition, *, actor, now, message=None):
    _required({"message": message}, "message")
    _move_to(case, transition.target, type="info_requested", actor=actor, now=now, details={"message": message})
    pause_clock(case, now=now, actor=actor)


def _resume(case, transition, *, actor, now, note=None):
    _move_to(case, transition.target, type="resumed", actor=actor, now=now, details={"note": note})
    resume_clock(case, now=now, actor=actor)


def _request_extension(case, transition, *, actor, now, days=None, reason=None):
    _required({"days": days, "reason": reason}, "days", "reason")
    if not 1 <= int(days) <= MAX_EXTENSION_WORKING_DAYS:
        raise DomainError("validation_failed", "Some fields are invalid.", status=422,
                          fields={"days": [f"Between 1 and {MAX_EXTENSION_WORKING_DAYS} working days."]})
    case.extension_requested_days = int(days)
    case.extension_reason = reason
    _record(case, type="extension_requested", actor=actor, now=now, details={"days": int(days), "reason": reason})


def _decide_extension(case, *, actor, now, approved: bool, note=None):
    details = {"days": case.extension_requested_days, "reason": case.extension_reason, "note": note}
    case.extension_requested_days = None
    case.extension_reason = None
    _record(case, type="extension_approved" if approved else "extension_rejected", actor=actor, now=now,
            details=details)


def _approve_extension(case, transition, *, actor, now, note=None):
    days, reason = case.extension_requested_days, case.extension_reason
    _decide_extension(case, actor=actor, now=now, approved=True, note=note)
    extend_deadline(case, working_days=days, now=now, reason=reason, actor=actor)


def _reject_extension(case, transition, *, actor, now, note=None):
    _decide_extension(case, actor=actor, now=now, approved=False, note=note)


def _close(case, transition, *, actor, now):
    case.closed_at = now
    _move_to(case, transition.target, type="closed", actor=actor, now=now)


def _reopen(case, transition, *, actor, now, reason=None):
    _required({"reason": reason}, "reason")
    case.reopened_count += 1
    case.resolved_at = None
    case.closed_at = None
    _assign(case, case.agency, actor=actor, now=now, type="reopened",
            reason={"reason": reason, "reopened_count": case.reopened_count,
                    "by": "staff" if actor else "citizen"})
    db.session.flush()
    plan_deadline(case, now=now, actor=actor, restart_clock=True, reason="reopened")


def _cancel(case, transition, *, actor, now, reason=None):
    _required({"reason": reason}, "reason")
    _move_to(case, transition.target, type="cancelled", actor=actor, now=now, details={"reason": reason})


def _merge(case, transition, *, actor, now, into=None):
    _required({"into": into}, "into")
    target = db.session.scalar(sa.select(Case).where(Case.number == into))
    if target is None or target.id == case.id or not target.status.is_open:
        raise DomainError("validation_failed", "Some fields are invalid.", status=422,
                          fields={"into": ["Must be the number of another open case."]})
    case.merged_into_id = target.id
    db.session.add(CaseReporter(case_id=target.id, name=case.reporter_name, phone=case.reporter_phone,
                                email=case.reporter_email, anonymous=case.reporter_anonymous,
                                contact_preference=case.contact_preference, created_at=now))
    _record(target, type="merged_in", actor=actor, now=now, details={"from": case.number})
    _move_to(case, transition.target, type="merged", actor=actor, now=now, details={"into": target.number})


def _note(case, transition, *, actor, now, text=None):
    _required({"text": text}, "text")
    _record(case, type="note", actor=actor, now=now, details={"text": text})


_HANDLERS = {
    "accept": _accept, "resolve": _resolve, "request_transfer": _request_transfer, "reassign": _reassign,
    "request_info": _request_info, "resume": _resume, "request_extension": _request_extension,
    "approve_extension": _approve_extension, "reject_extension": _reject_extension, "close": _close,
    "reopen": _reopen, "cancel": _cancel, "merge": _merge, "note": _note,
}


def refused_agency_ids(case: Case) -> set[int]:
    """Agencies that asked to give this case up; they are not suggested for it again."""
    codes = db.session.scalars(sa.select(CaseEvent.details["agency"].as_string()).where(
        CaseEvent.case_id == case.id, CaseEvent.type == "transfer_requested"))
    return set(db.session.scalars(sa.select(Agency.id).where(Agency.code.in_(list(codes)))))


def suggest_reassignment(case: Case):
    """Where the routing rules would send the case now, passing over the agencies that refused it."""
    return route_case(case.category, district=case.district, description=case.description,
                      attributes=case.attributes, exclude_agency_ids=refused_agency_ids(case))


def add_reporter(case: Case, reporter: dict, *, actor: User | None, call_id: int | None = None,
                 now: datetime | None = None) -> CaseReporter:
    """Attach a further citizen reporting the same problem; they are answered when the case resolves."""
    now = now or utcnow()
    if not case.status.is_open:
        raise DomainError("case_not_open", "Only an open case can take a duplicate report.", status=409)
    extra = CaseReporter(case_id=case.id, call_id=call_id, name=reporter.get("name"), phone=reporter.get("phone"),
                         email=reporter.get("email"), anonymous=reporter.get("anonymous", False),
                         contact_preference=reporter.get("contact_preference", "none"), created_at=now)
    db.session.add(extra)
    _record(case, type="duplicate_reported", actor=actor, now=now, details={"call_id": call_id})
    case.updated_at = now
    db.session.flush()
    return extra
