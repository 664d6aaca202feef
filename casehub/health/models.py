"""Heartbeats of the background processes, in the database so that embedded mode (no Redis) has them too."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casehub.extensions import db
from casehub.models import enum_column


class Beat(enum.StrEnum):
    SCHEDULER = "scheduler"  # the acting scheduler put a periodic job on its queue
    SLA_SWEEP = "sla_sweep"  # an SLA sweep finished


class Heartbeat(db.Model):
    """When each beat last happened: one row per beat, overwritten every time."""

    __tablename__ = "heartbeats"

    name: Mapped[Beat] = mapped_column(enum_column(Beat, "heartbeat_name"), primary_key=True)
    at: Mapped[datetime]
    # host:pid of the process that recorded it, so operators can tell which scheduler acts.
    source: Mapped[str] = mapped_column(sa.String(200))
