"""Reminders and escalation: each case's schedule of notifications, and the sweep that writes them.

A case's schedule is derived from its deadline: reminders to the agency before it (50% and 80%
of the time on the hour clock, working days before it on the working-day clock), the agency's
supervisors at the deadline (level 1), the managers one cycle later (level 2) and every cycle
after. `Case.next_action_at` is the time of the next step; the sweep reads only cases whose
time has come (an index), so its cost grows with the cases due, not with the open cases.

Exactly once: every outbox row carries a unique key (case, target, threshold, deadline version,
recipient) and is written through add_to_outbox (ON CONFLICT DO NOTHING) in the transaction that
moves `next_action_at` on, so two sweeps, a retried job or a restarted Redis never write a row
twice; each row written is queued for delivery as the sweep commits, a hazard's on the "high" queue.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casehub.auth.models import Role, User
from casehub.cases.models import Case, CaseEvent, CaseStatus
from casehub.extensions import db
from casehub.notify.models import OutboxChannel
from casehub.notify.outbox import add_to_outbox
from casehub.sla.calendar import BusinessCalendar
from casehub.sla.models import SlaClock, SlaPolicy

RESOLUTION, FIRST_RESPONSE, REASSIGNMENT = "resolution", "first_response", "reassignment"
TEMPLATES = {
    (RESOLUTION, 0): "sla_reminder",
    (FIRST_RESPONSE, 0): "sla_first_response_overdue",
    (RESOLUTION, 1): "sla_overdue_supervisor",
    (REASSIGNMENT, 1): "sla_reassignment_overdue",
}
MANAGER_TEMPLATE = "sla_escalation_manager"


@dataclass(frozen=True)
class Step:
    """One notification a case is owed at `at`: level 0 tells the agency, 1 its supervisors, 2+ the managers."""

    at: datetime
    target: str
    threshold: str
    level: int

    @property
    def template(self) -> str:
        return TEMPLATES.get((self.target, self.level), MANAGER_TEMPLATE)


def same_time_working_days_later(calendar: BusinessCalendar, moment: datetime, days: int) -> datetime:
    """The same local time of day, `days` working days later (earlier when negative)."""
    local = calendar.local(moment)
    return datetime.combine(calendar.add_working_days(local.date(), days), local.timetz()).astimezone(timezone.utc)


def schedule(case: Case, policy: SlaPolicy, calendar: BusinessCalendar, *, until: datetime) -> list[Step]:
    """The case's steps in time order, escalations generated up to the first one after `until`."""
    if case.due_at is None or case.paused_at is not None or not case.status.is_open:
        return []
    due = case.due_at
    target = REASSIGNMENT if case.status is CaseStatus.TRANSFER_REQUESTED else RESOLUTION
    hours_clock = policy.clock is SlaClock.HOURS and target == RESOLUTION
    steps = []
    if target == RESOLUTION:
        for threshold in policy.reminder_thresholds:
            if hours_clock:
                at = due - (1 - threshold) * timedelta(hours=policy.resolution_target)
                steps.append(Step(at, RESOLUTION, f"{round(threshold * 100)}pct", 0))
            else:
                steps.append(Step(same_time_working_days_later(calendar, due, -int(threshold)),
                                  RESOLUTION, f"{int(threshold)}wd", 0))
    if case.status is CaseStatus.ASSIGNED and case.first_response_due_at is not None:
        steps.append(Step(case.first_response_due_at, FIRST_RESPONSE, "due", 0))
    level, at = 1, due
    while True:
        steps.append(Step(at, target, "overdue" if level == 1 else f"level{level}", level))
        if at > until:
            break
        level += 1
        # Escalation cycles: clock hours for hazards, working days otherwise (a reassignment: one).
        at = at + timedelta(hours=policy.escalation_cycle) if hours_clock else \
            same_time_working_days_later(calendar, at, policy.escalation_cycle if target == RESOLUTION else 1)
    return sorted(steps, key=lambda step: (step.at, step.level))


def next_action_time(steps: list[Step], now: datetime, escalation_level: int) -> datetime | None:
    """When the sweep must next look at a case: its next step, or an escalation above `escalation_level` unsent."""
    pending = [step.at for step in steps if step.at > now or step.level > escalation_level]
    return min(pending, default=None)


def steps_to_send(case: Case, steps: list[Step], now: datetime) -> list[Step]:
    """The steps whose time has come and that were not handled before.

    Reminders after `next_action_at` are sent unless the deadline has already passed (the overdue
    notice supersedes them). Escalation follows `escalation_level`: a sweep that runs late sends
    level 1 if the supervisors were never told, and only the highest manager level reached.
    """
    cursor = case.next_action_at or datetime.min.replace(tzinfo=now.tzinfo)
    due_now = [step for step in steps if step.at <= now]
    reminders = [step for step in due_now if step.level == 0 and step.at >= cursor
                 and (step.target == FIRST_RESPONSE or now < case.due_at)]
    escalations = [step for step in due_now if step.level > case.escalation_level]
    chosen = [step for step in escalations if step.level == 1]
    if escalations and escalations[-1].level >= 2:
        chosen.append(escalations[-1])
    return reminders + chosen


@dataclass
class SweepResult:
    cases: int = 0
    messages: int = 0


class _Recipients:
    """Who hears about a batch of cases, loaded with one query per role."""

    def __init__(self, agency_ids: set[int]):
        supervisors = db.session.scalars(sa.select(User).where(
            User.role == Role.AGENCY_SUPERVISOR, User.agency_id.in_(agency_ids), User.active)).all()
        self.supervisors: dict[int, list[User]] = {}
        for user in supervisors:
            self.supervisors.setdefault(user.agency_id, []).append(user)
        self.managers = db.session.scalars(sa.select(User).where(User.role == Role.MANAGER, User.active)).all()

    def for_step(self, case: Case, step: Step) -> list[tuple[str, OutboxChannel, str, str, int | None]]:
        """(key, channel, recipient, language, user id) for each person or mailbox the step goes to."""
        if step.level >= 2 or step.target == REASSIGNMENT:
            users = self.managers
        elif step.level == 1:
            users = self.supervisors.get(case.agency_id, [])
        else:
            users = []
        if users:
            return [(f"user{user.id}", OutboxChannel.EMAIL if user.email else OutboxChannel.IN_APP,
                     user.email or user.username, user.locale or "zh_TW", user.id) for user in users]
        # Reminders go to the agency's mailbox; so does an overdue notice when no supervisor is on record.
        agency = case.agency
        if agency is None or not agency.email:
            return []
        return [(f"agency{agency.id}", OutboxChannel.EMAIL, agency.email, "zh_TW", None)]


def _message_rows(case: Case, policy: SlaPolicy, step: Step, recipients: _Recipients,
                  calendar: BusinessCalendar, now: datetime) -> list[dict]:
    agency = case.agency
    payload = {
        "case_id": case.id, "case_number": case.number, "target": step.target, "threshold": step.threshold,
        "level": step.level, "due_at": calendar.local(case.due_at).isoformat(),
        "agency": agency.code if agency else None, "agency_name": agency.name_zh if agency else None,
        "policy": policy.code,
    }
    return [
        {"dedup_key": f"sla:{case.id}:{step.target}:{step.threshold}:v{case.deadline_version}:{key}",
         "channel": channel, "recipient": recipient, "template": step.template, "language": language,
         "payload": payload, "urgent": policy.clock is SlaClock.HOURS, "case_id": case.id, "user_id": user_id,
         "next_attempt_at": now, "created_at": now}
        for key, channel, recipient, language, user_id in recipients.for_step(case, step)
    ]


def run_sla_sweep(now: datetime, *, limit: int = 1000) -> SweepResult:
    """Write the reminders and escalations due by `now` for up to `limit` cases; flushes, the caller commits.

    Rows locked by a concurrent sweep are skipped (FOR UPDATE SKIP LOCKED): each due case is
    handled by one sweep, and the unique outbox key makes any overlap harmless.
    """
    cases = db.session.scalars(
        sa.select(Case).where(Case.next_action_at <= now).order_by(Case.next_action_at).limit(limit)
        .with_for_update(skip_locked=True, of=Case)
        .options(selectinload(Case.agency), selectinload(Case.sla_policy))
    ).all()
    result = SweepResult(cases=len(cases))
    if not cases:
        return result
    calendar = BusinessCalendar.load()
    recipients = _Recipients({case.agency_id for case in cases if case.agency_id})
    messages, updates, events = [], [], []
    for case in cases:
        policy = case.sla_policy
        steps = schedule(case, policy, calendar, until=now) if policy else []
        sent = steps_to_send(case, steps, now)
        for step in sent:
            messages.extend(_message_rows(case, policy, step, recipients, calendar, now))
        level = max([case.escalation_level, *(step.level for step in sent)])
        if level > case.escalation_level:
            events.append({"case_id": case.id, "at": now, "type": "sla_escalated",
                           "details": {"level": level, "due_at": calendar.local(case.due_at).isoformat(),
                                       "notified": [step.template for step in sent if step.level]}})
        updates.append({"case_id": case.id, "next_at": next_action_time(steps, now, level), "level": level})
    result.messages = len(add_to_outbox(messages))
    if events:
        db.session.execute(sa.insert(CaseEvent), events)
    # Core UPDATE on purpose: the sweep's bookkeeping must not bump Case.version, or a user
    # acting on a page loaded a minute ago would get a needless version conflict.
    cases_table = Case.__table__
    db.session.execute(
        sa.update(cases_table).where(cases_table.c.id == sa.bindparam("case_id"))
        .values(next_action_at=sa.bindparam("next_at"), escalation_level=sa.bindparam("level")),
        updates,
    )
    for case in cases:
        db.session.expire(case)
    return result
