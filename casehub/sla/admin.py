"""Managers' edits of SLA policies and of the city's calendar exceptions, each recorded in the audit trail.

A declared (or withdrawn) calendar exception recomputes the open working-day cases it touches.
"""
from datetime import date, datetime, time

import sqlalchemy as sa

from casehub.audit.services import apply_changes, audit_snapshot, record_audit
from casehub.auth.models import User
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.sla.calendar import BusinessCalendar
from casehub.sla.models import CalendarException, CalendarExceptionKind, SlaClock, SlaPolicy
from casehub.sla.services import recompute_for_calendar_change

POLICY_FIELDS = ["code", "name_zh", "name_en", "clock", "resolution_target", "first_response_minutes",
                 "reminder_thresholds", "escalation_cycle", "max_total_working_days", "active"]
EXCEPTION_FIELDS = ["day", "kind", "closed_from", "closed_until", "reason"]
POSITIVE = N_("Must be a whole number above zero.")


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise DomainError("invalid_input", "Some fields are invalid.", status=422, fields=errors)


def parse_thresholds(text: str, clock: SlaClock, target: int | None) -> tuple[list, str | None]:
    """Reminder thresholds from "0.5, 0.8" (fractions of the time, hour clock) or "3, 1" (working days before)."""
    parts = [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]
    try:
        if clock is SlaClock.HOURS:
            values = sorted({float(part) for part in parts})
            if all(0 < value < 1 for value in values):
                return values, None
            return values, N_("Each threshold is a fraction of the time between 0 and 1, e.g. 0.5, 0.8.")
        values = sorted({int(part) for part in parts}, reverse=True)
    except ValueError:
        return [], N_("Thresholds are numbers separated by commas.")
    if all(0 < value < (target or 0) for value in values):
        return values, None
    return values, N_("Each threshold is a whole number of working days before the deadline, below the target.")


def save_policy(policy: SlaPolicy | None, data: dict, *, actor: User, now: datetime) -> SlaPolicy:
    """Create a policy (`policy` None) or change one; every bad field is named, nothing is half-saved."""
    errors: dict[str, list[str]] = {}
    clock = SlaClock(data["clock"]) if data.get("clock") in {c.value for c in SlaClock} else None
    if clock is None:
        errors["clock"] = [N_("Choose hours or working days.")]
    for name in ("resolution_target", "first_response_minutes", "escalation_cycle", "max_total_working_days"):
        if data.get(name) is None or data[name] < 1:
            errors[name] = [POSITIVE]
    for name in ("name_zh", "name_en"):
        if not (data.get(name) or "").strip():
            errors[name] = [N_("Required.")]
    code = (data.get("code") or "").strip() if policy is None else policy.code
    if policy is None and not code:
        errors["code"] = [N_("Required.")]
    elif policy is None and db.session.scalar(sa.select(SlaPolicy.id).where(SlaPolicy.code == code)):
        errors["code"] = [N_("Another policy has this code.")]
    thresholds = []
    if clock is not None:
        thresholds, problem = parse_thresholds(data.get("reminder_thresholds", ""), clock,
                                               data.get("resolution_target"))
        if problem:
            errors["reminder_thresholds"] = [problem]
        target, maximum = data.get("resolution_target"), data.get("max_total_working_days")
        if clock is SlaClock.WORKING_DAYS and "max_total_working_days" not in errors and target and maximum < target:
            errors["max_total_working_days"] = [N_("Must be at least the resolution target.")]
    _refuse(errors)
    values = {"code": code, "name_zh": data["name_zh"].strip(), "name_en": data["name_en"].strip(), "clock": clock,
              "resolution_target": data["resolution_target"], "first_response_minutes": data["first_response_minutes"],
              "reminder_thresholds": thresholds, "escalation_cycle": data["escalation_cycle"],
              "max_total_working_days": data["max_total_working_days"], "active": bool(data.get("active", True))}
    if policy is None:
        policy = SlaPolicy(created_at=now, **values)
        db.session.add(policy)
        db.session.flush()
        record_audit(actor=actor, action="sla_policy.create", entity_type="sla_policy", entity_id=policy.id,
                     after=audit_snapshot(policy, POLICY_FIELDS), now=now)
        return policy
    before, after = apply_changes(policy, values)
    if after:
        db.session.flush()
        record_audit(actor=actor, action="sla_policy.update", entity_type="sla_policy", entity_id=policy.id,
                     before=before, after=after, now=now)
    return policy


def _exception_problems(data: dict, calendar: BusinessCalendar, today: date) -> dict[str, list[str]]:
    day, kind = data.get("day"), data.get("kind")
    errors: dict[str, list[str]] = {}
    if not (data.get("reason") or "").strip():
        errors["reason"] = [N_("Say why, e.g. 颱風停止上班.")]
    if kind not in {k.value for k in CalendarExceptionKind}:
        errors["kind"] = [N_("Choose a closure or an extra working day.")]
    if not isinstance(day, date):
        errors["day"] = [N_("Enter a valid date.")]
        return errors
    if not today.year - 1 <= day.year <= today.year + 2:
        errors["day"] = [N_("Choose a day from last year to two years ahead.")]
    elif day in calendar.exceptions:
        errors["day"] = [N_("This day already has an exception; withdraw it first.")]
    elif "kind" not in errors:
        info = calendar.describe(day)
        if kind == CalendarExceptionKind.CLOSURE and not info.working:
            errors["day"] = [N_("Offices are already closed that day.")]
        if kind == CalendarExceptionKind.WORKING_DAY and info.working:
            errors["day"] = [N_("That day is already a working day.")]
    closed_from, closed_until = data.get("closed_from"), data.get("closed_until")
    if (closed_from is None) != (closed_until is None):
        missing = "closed_until" if closed_from else "closed_from"
        errors[missing] = [N_("Give both times of a partial closure, or neither.")]
    elif closed_from is not None:
        hours = calendar.office_hours
        if kind != CalendarExceptionKind.CLOSURE:
            errors["closed_from"] = [N_("Only a closure can be partial.")]
        elif closed_from >= closed_until:
            errors["closed_until"] = [N_("Must be after the start of the closure.")]
        elif closed_until <= hours.opens or closed_from >= hours.closes:
            errors["closed_from"] = [N_("A partial closure must fall within office hours.")]
    return errors


def declare_exception(data: dict, *, actor: User, now: datetime) -> tuple[CalendarException, int]:
    """Declare a closure (whole or partial day) or an extra working day; returns it and how many deadlines moved."""
    calendar = BusinessCalendar.load()
    _refuse(_exception_problems(data, calendar, calendar.local(now).date()))
    closed_from: time | None = data.get("closed_from")
    exception = CalendarException(
        day=data["day"], kind=CalendarExceptionKind(data["kind"]), closed_from=closed_from,
        closed_until=data.get("closed_until") if closed_from else None, reason=data["reason"].strip(),
        created_by_id=actor.id, created_at=now,
    )
    db.session.add(exception)
    db.session.flush()
    record_audit(actor=actor, action="calendar_exception.create", entity_type="calendar_exception",
                 entity_id=exception.id, after=audit_snapshot(exception, EXCEPTION_FIELDS), now=now)
    moved = recompute_for_calendar_change(exception.day, now=now, actor=actor,
                                          reason=f"calendar exception declared for {exception.day}: {exception.reason}")
    return exception, moved


def withdraw_exception(exception: CalendarException, *, actor: User, now: datetime) -> int:
    """Remove a declared exception (declared by mistake); returns how many deadlines moved back."""
    record_audit(actor=actor, action="calendar_exception.delete", entity_type="calendar_exception",
                 entity_id=exception.id, before=audit_snapshot(exception, EXCEPTION_FIELDS), now=now)
    day, reason = exception.day, exception.reason
    db.session.delete(exception)
    db.session.flush()
    return recompute_for_calendar_change(day, now=now, actor=actor,
                                         reason=f"calendar exception withdrawn for {day}: {reason}")
