"""What an Open311 client sent beside the case itself: which app, its account and device ids, media, token."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casehub.auth.models import ApiKey
from casehub.cases.models import Case
from casehub.extensions import db
from casehub.models import utcnow


class Open311Request(db.Model):
    """One service request filed through Open311: the case it became and the app that filed it."""

    __tablename__ = "open311_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_keys.id"), index=True)
    # For services of type "batch" the client gets this token instead of the id, and trades it in later.
    token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    account_id: Mapped[str | None] = mapped_column(sa.String(100))
    device_id: Mapped[str | None] = mapped_column(sa.String(100))
    media_url: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    api_key: Mapped[ApiKey] = relationship()
