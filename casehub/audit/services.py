"""Recording administrative changes in the append-only audit trail, and finding them again."""
import enum
from datetime import date, datetime, time

import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import User
from casehub.extensions import db
from casehub.models import utcnow, within_city_days


def record_audit(
    *, actor: User | None, action: str, entity_type: str, entity_id: object | None,
    before: dict | None = None, after: dict | None = None, now: datetime | None = None,
) -> AuditEntry:
    """Append who changed what, with the values before and after, in the caller's transaction."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action, entity_type=entity_type,
                       entity_id=None if entity_id is None else str(entity_id), before=before, after=after,
                       at=now or utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_value(value: object) -> object:
    """A value as the audit trail keeps it (JSON): enums by value, times in ISO form, rows by code or id."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, db.Model):
        # A code reads better in the trail than an id, and survives a renamed row.
        return getattr(value, "code", None) or value.id
    return value


def audit_snapshot(obj: object, names: list[str]) -> dict:
    """The audit form of the attributes `names` of `obj`, e.g. the "after" of a newly created row."""
    return {name: audit_value(getattr(obj, name)) for name in names}


def apply_changes(obj: object, changes: dict) -> tuple[dict, dict]:
    """Set the attributes in `changes` on `obj`; return (before, after) of those that really changed."""
    before, after = {}, {}
    for name, value in changes.items():
        old = getattr(obj, name)
        if old != value:
            before[name], after[name] = audit_value(old), audit_value(value)
            setattr(obj, name, value)
    return before, after


def audit_entries(
    *, actor_id: int | None = None, entity_type: str | None = None, action: str | None = None,
    from_day: date | None = None, to_day: date | None = None,
) -> sa.Select:
    """Audit entries newest first, filtered; the days are the city's calendar days, both included."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return stmt.where(*within_city_days(AuditEntry.at, from_day, to_day))


def audit_filter_choices() -> dict[str, list]:
    """What the audit page's filters offer: the actors, entity types and actions that occur in the trail."""
    return {
        "actors": db.session.scalars(
            sa.select(User).where(User.id.in_(sa.select(AuditEntry.actor_id).distinct())).order_by(User.username)
        ).all(),
        "entity_types": db.session.scalars(
            sa.select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)).all(),
        "actions": db.session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all(),
    }
