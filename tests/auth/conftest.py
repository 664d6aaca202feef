from datetime import datetime, timedelta, timezone

import pytest


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The time the sign-in and administration pages read (08:30 in Kaohsiung, on a Monday), moved only by the test."""
    fixed = Clock(datetime(2026, 12, 7, 0, 30, tzinfo=timezone.utc))
    for pages in ("casehub.auth.views", "casehub.admin.views"):
        monkeypatch.setattr(f"{pages}.utcnow", lambda: fixed.now)
    return fixed
