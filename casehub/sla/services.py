"""Deadlines: computed from a policy and Taiwan's calendar, and moved as the case lives.

The lifecycle (casehub.cases.services) calls these inside its own transaction, after the status
change: `plan_deadline` when a case is routed or reassigned (restart_clock=True) or reopened,
`plan_reassignment` when an agency asks for a transfer, `pause_clock` / `resume_clock` around
waiting_for_citizen, `extend_deadline` when a supervisor approves an extension. Each deadline
change writes a "deadline_changed" event with the old and new deadline and the reason, bumps
`Case.deadline_version` (reminders are de-duplicated per version) and re-plans the reminders.
Everything here flushes and never commits.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from casehub.auth.models import User
from casehub.cases.models import Case, CaseEvent, CaseStatus
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.sla.calendar import MAX_DAYS_SEARCHED, BusinessCalendar, DayInfo
from casehub.sla.models import SlaClock, SlaPolicy
from casehub.sla.reminders import next_action_time, schedule


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    first_response_due_at: datetime | None
    explanation: dict


def _day_entry(info: DayInfo, **extra) -> dict:
    """A day in an explanation: what it was and why; the holiday's or the city's own words in `name`."""
    entry = {"day": info.day.isoformat(), **extra, "code": info.code}
    if info.code != "working_day":
        entry["reason"] = info.reason
    if info.name:
        entry["name"] = info.name
    return entry


def _count_working_days(calendar: BusinessCalendar, start: datetime, days: int) -> tuple[datetime, list, list]:
    """End of office hours on the `days`th working day after the day of `start` (the first day is not counted).

    A last day whose offices are closed at closing time (a partial closure) cannot end a
    deadline: it moves to the end of the next working day.
    """
    day, counted, skipped = calendar.local(start).date(), [], []
    for _ in range(MAX_DAYS_SEARCHED):
        if len(counted) >= days and calendar.open_at_closing_time(day):
            return calendar.closing_time(day), counted, skipped
        day += timedelta(days=1)
        info = calendar.describe(day)
        if not info.working:
            skipped.append(_day_entry(info))
        elif len(counted) < days:
            counted.append(_day_entry(info, n=len(counted) + 1))
        else:
            counted.append({"day": day.isoformat(), "n": days, "code": "deadline_moved",
                            "reason": "offices closed at closing time on the last day: deadline moved here"})
    raise RuntimeError(f"no {days} working days found after {start}")


def compute_deadline(
    policy: SlaPolicy, start: datetime, *, calendar: BusinessCalendar, extension_working_days: int = 0,
    paused: timedelta = timedelta(),
) -> Deadline:
    """When a case under `policy` whose clock started at `start` is due, and how that was counted.

    Hour clock: `resolution_target` clock hours, around the clock. Working days: the end of office
    hours on the Nth working day, counting from the next working day after `start`. Approved
    extensions add working days; time paused waiting for the citizen is added back (clock time
    on the hour clock, office time on the working-day clock).
    """
    local = calendar.local
    explanation = {"policy": policy.code, "policy_name": policy.name_zh, "clock": policy.clock.value,
                   "target": policy.resolution_target, "start": local(start).isoformat()}
    if policy.clock is SlaClock.HOURS:
        counted_until = start + timedelta(hours=policy.resolution_target)
        due_at = counted_until + paused
        first_response = start + timedelta(minutes=policy.first_response_minutes)
        explanation |= {"unit": "hours", "skipped": [], "counted": [
            {"from": local(start).isoformat(), "to": local(counted_until).isoformat(),
             "hours": policy.resolution_target, "note": "clock hours: nights, weekends and holidays count"}]}
    else:
        counted_until, counted, skipped = _count_working_days(
            calendar, start, policy.resolution_target + extension_working_days)
        due_at = calendar.add_working_time(counted_until, paused)
        first_response = calendar.add_working_time(start, timedelta(minutes=policy.first_response_minutes))
        hours = calendar.office_hours
        explanation |= {"unit": "working_days", "office_hours": f"{hours.opens:%H:%M}-{hours.closes:%H:%M}",
                        "counted": counted, "skipped": skipped}
    explanation |= {
        "extension_working_days": extension_working_days,
        "paused_minutes": int(paused.total_seconds() // 60),
        "first_response_due_at": local(first_response).isoformat(),
        "due_at": local(due_at).isoformat(),
    }
    return Deadline(due_at, first_response, explanation)


def reassignment_deadline(start: datetime, *, calendar: BusinessCalendar) -> Deadline:
    """The dispatch centre's target for reassigning a case: one working day of office time after `start`."""
    amount = calendar.office_hours.length
    due_at = calendar.add_working_time(start, amount)
    first_day, last_day = calendar.local(start).date(), calendar.local(due_at).date()
    skipped = [_day_entry(info) for info in (calendar.describe(first_day + timedelta(days=n))
                                           for n in range((last_day - first_day).days)) if not info.working]
    return Deadline(due_at, None, {
        "policy": None, "clock": "reassignment", "target": 1, "unit": "working_days",
        "start": calendar.local(start).isoformat(), "skipped": skipped,
        "counted": [{"from": calendar.local(start).isoformat(), "to": calendar.local(due_at).isoformat(),
                     "office_minutes": int(amount.total_seconds() // 60),
                     "note": "one working day of office time"}],
        "extension_working_days": 0, "paused_minutes": 0, "due_at": calendar.local(due_at).isoformat(),
    })


def _apply_deadline(case: Case, deadline: Deadline, *, now: datetime, reason: str, actor: User | None,
                    calendar: BusinessCalendar, always_record: bool = False) -> bool:
    """Store `deadline` on the case, re-plan its reminders, and record the change; True if the deadline moved."""
    old = case.due_at
    case.due_at = deadline.due_at
    case.first_response_due_at = deadline.first_response_due_at
    case.due_explanation = deadline.explanation
    moved = old != deadline.due_at
    if moved:
        case.deadline_version += 1
        if deadline.due_at > now:
            case.escalation_level = 0
    if moved or always_record:
        _record_deadline_event(case, old, deadline.due_at, now=now, reason=reason, actor=actor, calendar=calendar)
    steps = schedule(case, case.sla_policy, calendar, until=now) if case.sla_policy else []
    case.next_action_at = next_action_time(steps, now, case.escalation_level)
    db.session.flush()
    return moved


def _record_deadline_event(case: Case, old: datetime | None, new: datetime | None, *, now: datetime, reason: str,
                           actor: User | None, calendar: BusinessCalendar) -> None:
    db.session.add(CaseEvent(case=case, at=now, actor=actor, type="deadline_changed", details={
        "old": calendar.local(old).isoformat() if old else None,
        "new": calendar.local(new).isoformat() if new else None,
        "reason": reason,
    }))


def _deadline_of(case: Case, calendar: BusinessCalendar) -> Deadline:
    """The deadline the case's clock gives: its policy, start, extensions and paused time."""
    return compute_deadline(case.sla_policy, case.sla_started_at, calendar=calendar,
                            extension_working_days=case.extended_working_days,
                            paused=timedelta(seconds=case.paused_seconds))


def plan_deadline(case: Case, *, now: datetime, reason: str, actor: User | None = None, restart_clock: bool = False,
                  calendar: BusinessCalendar | None = None) -> bool:
    """Compute the case's deadline from its policy and clock and re-plan its reminders; True if it moved.

    The first call starts the clock at `received_at` with the category's policy. `restart_clock`
    starts a fresh clock at `now` (reassignment to another agency, reopening): the category's
    current policy, no paused time, no extensions.
    """
    calendar = calendar or BusinessCalendar.load()
    if restart_clock or case.sla_started_at is None:
        case.sla_policy = case.category.sla_policy
        case.sla_started_at = now if restart_clock else case.received_at
        case.paused_seconds = 0
        case.extended_working_days = 0
    return _apply_deadline(case, _deadline_of(case, calendar), now=now, reason=reason, actor=actor, calendar=calendar)


def plan_reassignment(case: Case, *, now: datetime, actor: User | None = None) -> None:
    """A transfer was requested: the dispatch centre must reassign the case within one working day."""
    calendar = BusinessCalendar.load()
    _apply_deadline(case, reassignment_deadline(now, calendar=calendar), now=now, actor=actor, calendar=calendar,
                    reason="transfer requested: the dispatch centre reassigns within one working day")


def pause_clock(case: Case, *, now: datetime, actor: User | None = None) -> None:
    """Stop the clock while the case waits for the citizen (no reminders meanwhile). Safe to call twice."""
    if case.paused_at is not None:
        return
    case.paused_at = now
    case.next_action_at = None
    _record_deadline_event(case, case.due_at, None, now=now, actor=actor, calendar=BusinessCalendar.load(),
                           reason="clock paused: waiting for the citizen")
    db.session.flush()


def resume_clock(case: Case, *, now: datetime, actor: User | None = None) -> None:
    """Restart the clock: the deadline moves by the time spent waiting (office time on the working-day clock)."""
    if case.paused_at is None:
        return
    calendar = BusinessCalendar.load()
    if case.sla_policy.clock is SlaClock.HOURS:
        waited = now - case.paused_at
    else:
        waited = calendar.working_time_between(case.paused_at, now)
    case.paused_seconds += int(waited.total_seconds())
    case.paused_at = None
    minutes = int(waited.total_seconds() // 60)
    _apply_deadline(case, _deadline_of(case, calendar), now=now, actor=actor, calendar=calendar, always_record=True,
                    reason=f"clock resumed: {minutes} minutes waiting for the citizen do not count")


def extend_deadline(case: Case, *, working_days: int, now: datetime, reason: str, actor: User | None = None) -> None:
    """Move a working-day deadline by an approved extension, never beyond the policy's total maximum."""
    policy = case.sla_policy
    if policy is None or policy.clock is not SlaClock.WORKING_DAYS:
        raise DomainError("extension_not_applicable", N_("Only working-day deadlines can be extended."), status=422,
                          fields={"days": [N_("Only working-day deadlines can be extended.")]})
    if working_days < 1:
        raise DomainError("invalid_extension", N_("An extension is at least one working day."), status=422,
                          fields={"days": ["At least one working day."]})
    allowed = policy.max_total_working_days - policy.resolution_target - case.extended_working_days
    if working_days > allowed:
        raise DomainError(
            "extension_too_long",
            f"At most {max(allowed, 0)} more working days: a deadline never goes beyond "
            f"{policy.max_total_working_days} working days in total.",
            status=422, fields={"days": [f"At most {max(allowed, 0)} more working days."]},
        )
    case.extended_working_days += working_days
    plan_deadline(case, now=now, actor=actor, reason=f"extension approved: {working_days} working days ({reason})")


def recompute_for_calendar_change(day: date, *, now: datetime, actor: User | None = None,
                                  reason: str | None = None) -> int:
    """Recompute every open working-day case whose counting window contains `day`; returns how many moved.

    Deadlines already met or breached (due before `now`) are not rewritten.
    """
    calendar = BusinessCalendar.load()
    day_start = datetime.combine(day, time(), calendar.zone)
    cases = db.session.scalars(
        sa.select(Case).join(SlaPolicy, Case.sla_policy_id == SlaPolicy.id).where(
            SlaPolicy.clock == SlaClock.WORKING_DAYS,
            Case.status.in_([status for status in CaseStatus
                             if status.is_open and status is not CaseStatus.TRANSFER_REQUESTED]),
            Case.due_at > now,
            Case.due_at >= day_start,
            Case.sla_started_at < day_start + timedelta(days=1),
        ).order_by(Case.id)
    ).all()
    reason = reason or f"calendar changed: {day.isoformat()}"
    return sum(plan_deadline(case, now=now, reason=reason, actor=actor, calendar=calendar) for case in cases)
