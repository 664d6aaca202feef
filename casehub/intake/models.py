"""The call log of the 1999 centre."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casehub.extensions import db
from casehub.models import enum_column, utcnow


class CallOutcome(enum.StrEnum):
    CONSULTATION = "consultation"  # answered on the line
    CASE = "case"  # recorded and forwarded as a case
    OTHER = "other"


class Call(db.Model):
    __tablename__ = "calls"
    __table_args__ = (
        sa.Index("ix_calls_started_at", "started_at"),
        sa.Index("ix_calls_caller_phone", "caller_phone"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    caller_phone: Mapped[str | None] = mapped_column(sa.String(32))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[CallOutcome] = mapped_column(enum_column(CallOutcome, "call_outcome"))
    answered_immediately: Mapped[bool | None]
    summary: Mapped[str | None] = mapped_column(sa.Text)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
