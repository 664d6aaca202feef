"""Recording administrative changes in the append-only audit trail."""
from datetime import datetime

from casehub.audit.models import AuditEntry
from casehub.auth.models import User
from casehub.extensions import db
from casehub.models import utcnow


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
