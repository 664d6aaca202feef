"""The fixed-window rate limiter, on Redis and in memory (embedded mode)."""
from datetime import datetime, timedelta, timezone

import pytest
from redis import RedisError

from casehub.ratelimit import RateLimited, check_rate_limit

NOON = datetime(2026, 11, 26, 4, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["redis", "memory"])
def limiter(request, app, monkeypatch):
    """Three attempts a minute at scope "test", counted in Redis or, as in embedded mode, in memory."""
    monkeypatch.setitem(app.config["RATE_LIMITS"], "test", (3, 60))
    if request.param == "memory":
        monkeypatch.setitem(app.extensions, "redis", None)
        monkeypatch.delitem(app.extensions, "rate_limit_counters", raising=False)
    return request.param


def test_the_attempt_past_the_limit_is_refused_until_the_window_ends(limiter):
    for second in range(3):
        check_rate_limit("test", "1.2.3.4", now=NOON + timedelta(seconds=second))
    with pytest.raises(RateLimited) as refused:
        check_rate_limit("test", "1.2.3.4", now=NOON + timedelta(seconds=20))
    assert refused.value.status == 429 and refused.value.retry_after == 40
    check_rate_limit("test", "1.2.3.4", now=NOON + timedelta(seconds=60))  # a new window


def test_identities_and_scopes_are_counted_apart(app, limiter, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "other", (1, 60))
    for _attempt in range(3):
        check_rate_limit("test", "1.2.3.4", now=NOON)
    check_rate_limit("test", "5.6.7.8", now=NOON)
    check_rate_limit("other", "1.2.3.4", now=NOON)


def test_a_redis_outage_lets_attempts_through(app, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "test", (1, 60))

    class Down:
        def pipeline(self):
            raise RedisError("connection refused")

    monkeypatch.setitem(app.extensions, "redis", Down())
    for _attempt in range(3):
        check_rate_limit("test", "1.2.3.4", now=NOON)
