"""The transactional outbox, its delivery attempts, staff in-app alerts, and the local mailbox of the demo."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casehub.extensions import db
from casehub.models import enum_column, utcnow


class OutboxChannel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    IN_APP = "in_app"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # permanently: a bad address, or out of retries
    HELD = "held"  # over the recipient's hourly limit, or a daily digest: waits for its digest at next_attempt_at
    DIGESTED = "digested"  # delivered inside the digest message `digest_id`


class OutboxMessage(db.Model):
    """A message owed to someone, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_status_next_attempt", "status", "next_attempt_at"),
        # The hourly limit counts what a recipient was sent in the current hour.
        sa.Index("ix_outbox_messages_recipient_sent", "recipient", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per (case, target, threshold, deadline version) and the like: the guard against sending twice.
    dedup_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    channel: Mapped[OutboxChannel] = mapped_column(enum_column(OutboxChannel, "outbox_channel"))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    template: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_TW")
    payload: Mapped[dict] = mapped_column(default=dict)
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # When a worker may next try; a worker that takes the message moves it ahead (its lease).
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    digest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_messages.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    case: Mapped["Case | None"] = relationship()  # noqa: F821 (casehub.cases.models)
    attempt_log: Mapped[list["DeliveryAttempt"]] = relationship(order_by="DeliveryAttempt.id")


class DeliveryAttempt(db.Model):
    """One try at handing a message to its channel, committed before the try.

    `succeeded` stays None until the outcome is saved: a worker that stopped between sending and
    saving leaves an open attempt, which the next try reads instead of blindly sending again.
    """

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool | None]
    # Set (without `succeeded`) when a later try settled an attempt whose outcome was never saved.
    error: Mapped[str | None] = mapped_column(sa.Text)
    # Sent along (the SMS gateway's Idempotency-Key header, the e-mail's Message-ID); a retry of an attempt
    # whose outcome is unknown reuses it, so a provider that de-duplicates drops the second copy.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64))
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(200))


class Alert(db.Model):
    """An in-app notification for one staff member (the bell)."""

    __tablename__ = "alerts"
    __table_args__ = (sa.Index("ix_alerts_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    message: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    case: Mapped["Case | None"] = relationship()  # noqa: F821 (casehub.cases.models)


class LocalMail(db.Model):
    """A message "delivered" locally because no mail server or SMS gateway is configured (the demo's sent page)."""

    __tablename__ = "local_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id"), index=True)
    channel: Mapped[OutboxChannel] = mapped_column(enum_column(OutboxChannel, "outbox_channel"))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    message: Mapped[OutboxMessage] = relationship()


class NotificationPreference(db.Model):
    """How one staff member wants to be told: managers may take level-2 escalations as one daily digest."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    escalation_digest: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
