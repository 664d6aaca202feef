"""Helpers for the health tests: beats and pending messages of a given age."""
import itertools
from datetime import timedelta

import pytest

from casehub.extensions import db
from casehub.health.heartbeats import record_beat
from casehub.health.models import Beat
from casehub.models import utcnow
from casehub.notify.models import OutboxChannel, OutboxMessage, OutboxStatus

_keys = itertools.count(1)


@pytest.fixture
def beat(app):
    """Record `beat` as having happened `minutes` ago."""

    def _beat(name: Beat, minutes: float) -> None:
        record_beat(name, utcnow() - timedelta(minutes=minutes))

    return _beat


@pytest.fixture
def make_message(app):
    """An outbox message written `minutes` ago (flushed)."""

    def _make(minutes: float = 0, *, channel: OutboxChannel = OutboxChannel.SMS,
              status: OutboxStatus = OutboxStatus.PENDING) -> OutboxMessage:
        message = OutboxMessage(dedup_key=f"health-{next(_keys)}",
                                channel=channel, recipient="0912345678", template="case_received", payload={},
                                status=status, created_at=utcnow() - timedelta(minutes=minutes))
        db.session.add(message)
        db.session.flush()
        return message

    return _make
