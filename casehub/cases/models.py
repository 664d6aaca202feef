"""Cases and everything attached to them: events, extra reporters, files, access log, ratings."""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casehub.auth.models import User
from casehub.directory.models import Agency, CaseKind, Category, District
from casehub.extensions import db
from casehub.models import AppendOnly, enum_column, utcnow
from casehub.routing.models import RoutingRule
from casehub.sla.models import SlaPolicy


class Channel(enum.StrEnum):
    PHONE = "phone"
    COUNTER = "counter"
    MAYOR_MAILBOX = "mayor_mailbox"
    APP = "app"
    WRITTEN = "written"
    FAX = "fax"
    SIGN_LANGUAGE_VIDEO = "sign_language_video"
    OPEN311 = "open311"


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    WAITING_FOR_CITIZEN = "waiting_for_citizen"
    TRANSFER_REQUESTED = "transfer_requested"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"

    @property
    def is_open(self) -> bool:
        return self not in (CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.CANCELLED, CaseStatus.MERGED)


OPEN_STATUSES = frozenset(status for status in CaseStatus if status.is_open)
OPEN_STATUS_SQL = "status IN ({})".format(
    ", ".join(f"'{status.value}'" for status in CaseStatus if status in OPEN_STATUSES))


class ContactPreference(enum.StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    NONE = "none"


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        sa.Index("ix_cases_agency_status_due", "agency_id", "status", "due_at"),
        # Inboxes list open cases by due time: a few thousand rows among millions (see OPEN_CASES).
        sa.Index("ix_cases_open_agency_due", "agency_id", "due_at",
                 postgresql_where=sa.text(OPEN_STATUS_SQL), sqlite_where=sa.text(OPEN_STATUS_SQL)),
        sa.Index("ix_cases_open_due", "due_at",
                 postgresql_where=sa.text(OPEN_STATUS_SQL), sqlite_where=sa.text(OPEN_STATUS_SQL)),
        sa.Index("ix_cases_reporter_phone", "reporter_phone"),
        sa.Index("ix_cases_category_received", "category_id", "received_at"),
        sa.CheckConstraint("reopened_count >= 0", name="reopened_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # Hash of the private code a citizen tracks the case with; the code itself is shown once.
    tracking_code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_kind"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"), index=True)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    description: Mapped[str] = mapped_column(sa.Text)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    lat: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    lng: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    attributes: Mapped[dict] = mapped_column(default=dict)

    reporter_name: Mapped[str | None] = mapped_column(sa.String(100))
    reporter_phone: Mapped[str | None] = mapped_column(sa.String(32))
    reporter_email: Mapped[str | None] = mapped_column(sa.String(254))
    reporter_anonymous: Mapped[bool] = mapped_column(default=False)
    contact_preference: Mapped[ContactPreference] = mapped_column(
        enum_column(ContactPreference, "contact_preference"), default=ContactPreference.NONE
    )

    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    routing_rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("routing_rules.id"))
    routing_reason: Mapped[dict | None]
    sla_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sla_policies.id"))
    received_at: Mapped[datetime] = mapped_column(index=True)
    assigned_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    first_response_due_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    due_explanation: Mapped[dict | None]
    # Waiting for the citizen stops the clock: when the pause began.
    paused_at: Mapped[datetime | None]
    extension_requested_days: Mapped[int | None]
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    # When the SLA sweep must next look at this case (reminder, breach, escalation).
    next_action_at: Mapped[datetime | None] = mapped_column(index=True)
    escalation_level: Mapped[int] = mapped_column(default=0)
    # The SLA clock (casehub.sla.services): when it started (receipt, or reassignment), the time spent
    # waiting for the citizen (office seconds on the working-day clock), approved extensions, and a
    # counter bumped whenever the deadline moves: reminders are de-duplicated per deadline version.
    sla_started_at: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    extended_working_days: Mapped[int] = mapped_column(default=0, server_default="0")
    deadline_version: Mapped[int] = mapped_column(default=0, server_default="0")
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reply: Mapped[str | None] = mapped_column(sa.Text)
    reopened_count: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship()
    district: Mapped[District | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    routing_rule: Mapped[RoutingRule | None] = relationship()
    sla_policy: Mapped[SlaPolicy | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    merged_into: Mapped["Case | None"] = relationship(remote_side=[id])
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", passive_deletes=True
    )

    def is_overdue(self, now: datetime) -> bool:
        return self.status.is_open and self.due_at is not None and self.due_at < now

    def __repr__(self) -> str:
        return f"<Case {self.number} {self.status}>"


# "The case is open" in SQL, its statuses written into the statement as constants: PostgreSQL uses a
# partial index only when it can match the index's condition, which a prepared statement's generic
# plan (bound parameters) never lets it do.
OPEN_CASES = Case.status.in_(sa.bindparam("open_statuses", sorted(OPEN_STATUSES), expanding=True, literal_execute=True))


class CaseNumberCounter(db.Model):
    """One row per day; incremented in the intake transaction so numbers are unique under concurrency."""

    __tablename__ = "case_number_counters"

    day: Mapped[date] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class CaseEvent(AppendOnly, db.Model):
    """One change of a case: who, when, what, before and after. The audit trail."""

    __tablename__ = "case_events"
    __table_args__ = (sa.Index("ix_case_events_type_at", "type", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[CaseStatus | None] = mapped_column(enum_column(CaseStatus, "from_status"))
    to_status: Mapped[CaseStatus | None] = mapped_column(enum_column(CaseStatus, "to_status"))
    details: Mapped[dict] = mapped_column(default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class CaseReporter(db.Model):
    """A further citizen who reported the same problem; answered when the case is resolved."""

    __tablename__ = "case_reporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id"))
    name: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    anonymous: Mapped[bool] = mapped_column(default=False)
    contact_preference: Mapped[ContactPreference] = mapped_column(
        enum_column(ContactPreference, "contact_preference"), default=ContactPreference.NONE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PersonalDataView(AppendOnly, db.Model):
    """Every time staff see a reporter's personal data in full."""

    __tablename__ = "personal_data_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Through which page or API: casehub.cases.privacy.VIEW_CONTEXTS.
    context: Mapped[str] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship()
    case: Mapped[Case] = relationship()


class SatisfactionResponse(db.Model):
    """A citizen's 1-5 rating of a case's answer or of a call; 4 and 5 count as satisfied."""

    __tablename__ = "satisfaction_responses"
    __table_args__ = (
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        sa.CheckConstraint("case_id IS NOT NULL OR call_id IS NOT NULL", name="rates_case_or_call"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def satisfied(self) -> bool:
        return self.score >= 4
