"""A fixed-window rate limiter for public forms and Open311 clients.

Counts live in Redis (shared by every web process) or, in embedded mode, in this process's memory.
Limits are `app.config["RATE_LIMITS"][scope] = (count, window_seconds)`.

When Redis cannot be reached the limiter fails closed: each process counts in its own memory and allows
its share of the limit (the limit divided by RATE_LIMIT_WEB_PROCESSES), so an outage never lets more
through than the limit does, and tracking codes cannot be guessed faster while Redis is down.
"""
import logging
import threading
from datetime import datetime

from flask import current_app, request
from redis import RedisError

from casehub.errors import N_, DomainError

log = logging.getLogger(__name__)


class RateLimited(DomainError):
    """Too many attempts in the current window; `retry_after` seconds until the next one opens."""

    status = 429

    def __init__(self, retry_after: int):
        super().__init__("rate_limited", N_("Too many requests; please try again later."))
        self.retry_after = retry_after


class MemoryCounters:
    """Counters in a dict, each forgotten once its window has passed: embedded mode's store, and the stand-in
    for Redis while it is unreachable."""

    def __init__(self):
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        # True from the first failed Redis call until one succeeds again, so each outage is logged once.
        self.standing_in = False

    def increment(self, key: str, *, expires_at: int, now: int) -> int:
        with self._lock:
            for stale in [k for k, (_count, expiry) in self._counts.items() if expiry <= now]:
                del self._counts[stale]
            count = self._counts.get(key, (0, expires_at))[0] + 1
            self._counts[key] = (count, expires_at)
            return count

    def count(self, key: str, *, now: int) -> int:
        with self._lock:
            count, expiry = self._counts.get(key, (0, now))
            return count if expiry > now else 0


def client_address() -> str:
    """Who is asking, as the limits count them: the connecting address (ProxyFix makes it the client's)."""
    return request.remote_addr or "unknown"


def _memory_counters() -> MemoryCounters:
    return current_app.extensions.setdefault("rate_limit_counters", MemoryCounters())


def _redis_increment(redis, key: str, *, expires_at: int, now: int) -> int:
    pipeline = redis.pipeline()
    pipeline.incr(key)
    # Relative, not absolute, expiry: the window is reckoned from `now`, which need not be the wall clock.
    pipeline.expire(key, max(expires_at - now, 1))
    count, _expiry_set = pipeline.execute()
    return count


def _count_attempt(key: str, limit: int, *, expires_at: int, now: int) -> tuple[int, int]:
    """This attempt's number in its window and the limit that applies to it, wherever it could be counted."""
    redis = current_app.extensions["redis"]
    memory = _memory_counters()
    if redis is None:
        return memory.increment(key, expires_at=expires_at, now=now), limit
    try:
        count = _redis_increment(redis, key, expires_at=expires_at, now=now)
    except RedisError:
        if not memory.standing_in:
            memory.standing_in = True
            log.warning("rate limiter: Redis is unreachable; counting in this process's memory, each process "
                        "allowing its share of every limit, until it answers again", exc_info=True)
        share = max(limit // current_app.config["RATE_LIMIT_WEB_PROCESSES"], 1)
        return memory.increment(key, expires_at=expires_at, now=now), share
    if memory.standing_in:
        memory.standing_in = False
        log.warning("rate limiter: Redis answers again; counting there")
    # Attempts counted here while Redis was down still count in their window: a flapping Redis lets no more through.
    return count + memory.count(key, now=now), limit


def check_rate_limit(scope: str, identity: str, *, now: datetime) -> None:
    """Count one attempt by `identity` (an IP address, an API key id) at `scope`; raise RateLimited past the limit.

    Holds while Redis is down: see the module's docstring.
    """
    limit, window_seconds = current_app.config["RATE_LIMITS"][scope]
    epoch = int(now.timestamp())
    window_end = epoch - epoch % window_seconds + window_seconds
    key = f"casehub:ratelimit:{scope}:{identity}:{window_end}"
    count, allowed = _count_attempt(key, limit, expires_at=window_end, now=epoch)
    if count > allowed:
        raise RateLimited(retry_after=window_end - epoch)
