"""The fixed-window rate limiter, on Redis and in memory (embedded mode), and how it holds while Redis is down."""
import logging
import shutil
import socket
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from redis import Redis, RedisError

from casehub.ratelimit import MemoryCounters, RateLimited, check_rate_limit

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


@pytest.fixture
def fallback(app, monkeypatch):
    """Fresh in-memory stand-in counters, and two web processes sharing each limit."""
    monkeypatch.setitem(app.extensions, "rate_limit_counters", MemoryCounters())
    monkeypatch.setitem(app.config, "RATE_LIMIT_WEB_PROCESSES", 2)
    return app.extensions["rate_limit_counters"]


@pytest.fixture
def unreachable_redis(app, fallback, monkeypatch):
    """The app pointed at a loopback port where nothing listens, as during a Redis outage."""
    monkeypatch.setitem(app.extensions, "redis", Redis.from_url(f"redis://127.0.0.1:{free_port()}/0"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of the test's own, stopped and started again as an outage would; it keeps its data on disk
    across a restart, as a production Redis does."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = Redis(port=self.port)
        for _attempt in range(100):
            try:
                client.ping()
                return
            except RedisError:
                time.sleep(0.05)  # waiting for the server to listen, not for a clock
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        Redis(port=self.port).shutdown(save=True)
        self.process.wait(timeout=10)


@pytest.fixture
def throwaway_redis(app, fallback, monkeypatch, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis(tmp_path)
    server.start()
    monkeypatch.setitem(app.extensions, "redis", Redis(port=server.port))
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)


def test_while_redis_is_unreachable_each_process_allows_its_share_of_the_limit(app, unreachable_redis,
                                                                              monkeypatch, caplog):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "test", (4, 60))
    with caplog.at_level(logging.WARNING, logger="casehub.ratelimit"):
        for second in range(2):
            check_rate_limit("test", "1.2.3.4", now=NOON + timedelta(seconds=second))
        with pytest.raises(RateLimited) as refused:
            check_rate_limit("test", "1.2.3.4", now=NOON + timedelta(seconds=20))
    assert refused.value.retry_after == 40
    check_rate_limit("test", "5.6.7.8", now=NOON)  # still per identity
    check_rate_limit("test", "1.2.3.4", now=NOON + timedelta(seconds=60))  # and per window
    assert [record.getMessage() for record in caplog.records] == [
        "rate limiter: Redis is unreachable; counting in this process's memory, each process allowing its share of "
        "every limit, until it answers again"]


def test_a_limit_of_one_still_lets_one_attempt_through_during_an_outage(app, unreachable_redis, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "test", (1, 60))
    check_rate_limit("test", "1.2.3.4", now=NOON)
    with pytest.raises(RateLimited):
        check_rate_limit("test", "1.2.3.4", now=NOON)


def test_redis_stopping_and_coming_back_mid_window_lets_no_more_through_than_the_limit(app, throwaway_redis,
                                                                                        monkeypatch, caplog):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "test", (6, 60))

    def attempt() -> bool:
        try:
            check_rate_limit("test", "1.2.3.4", now=NOON)
        except RateLimited:
            return False
        return True

    with caplog.at_level(logging.WARNING, logger="casehub.ratelimit"):
        before = [attempt() for _attempt in range(2)]
        throwaway_redis.stop()
        during = [attempt() for _attempt in range(4)]
        throwaway_redis.start()
        after = [attempt() for _attempt in range(2)]
    assert before == [True, True]
    assert during == [True, True, True, False]  # this process's share: 6 / 2 web processes
    assert after == [False, False]  # 2 counted in Redis + 4 in memory: the limit is reached
    assert sum(before + during + after) == 5
    assert [record.getMessage().split(";")[0] for record in caplog.records] == [
        "rate limiter: Redis is unreachable", "rate limiter: Redis answers again"]
