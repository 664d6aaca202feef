"""The administrative audit trail: append-only."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casehub.extensions import db
from casehub.models import AppendOnly, utcnow


class AuditEntry(AppendOnly, db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    entity_type: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict | None]
    after: Mapped[dict | None]

    actor: Mapped["User | None"] = relationship()  # noqa: F821 (casehub.auth.models)
