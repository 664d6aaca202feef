"""A fixed-window rate limiter for public forms and Open311 clients.

Counts live in Redis (shared by every web process) or, in embedded mode, in this process's memory.
Limits are `app.config["RATE_LIMITS"][scope] = (count, window_seconds)`.
"""
import logging
import threading
from datetime import datetime

from flask import current_app
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
    """Embedded mode: counters in a dict, each forgotten once its window has passed."""

    def __init__(self):
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def increment(self, key: str, *, expires_at: int, now: int) -> int:
        with self._lock:
            for stale in [k for k, (_count, expiry) in self._counts.items() if expiry <= now]:
                del self._counts[stale]
            count = self._counts.get(key, (0, expires_at))[0] + 1
            self._counts[key] = (count, expires_at)
            return count


def _increment(key: str, *, expires_at: int, now: int) -> int:
    redis = current_app.extensions["redis"]
    if redis is None:
        counters = current_app.extensions.setdefault("rate_limit_counters", MemoryCounters())
        return counters.increment(key, expires_at=expires_at, now=now)
    pipeline = redis.pipeline()
    pipeline.incr(key)
    # Relative, not absolute, expiry: the window is reckoned from `now`, which need not be the wall clock.
    pipeline.expire(key, max(expires_at - now, 1))
    count, _expiry_set = pipeline.execute()
    return count


def check_rate_limit(scope: str, identity: str, *, now: datetime) -> None:
    """Count one attempt by `identity` (an IP address, an API key id) at `scope`; raise RateLimited past the limit.

    When Redis cannot be reached the attempt is let through: a limiter outage must not take the public forms down.
    """
    limit, window_seconds = current_app.config["RATE_LIMITS"][scope]
    epoch = int(now.timestamp())
    window_end = epoch - epoch % window_seconds + window_seconds
    key = f"casehub:ratelimit:{scope}:{identity}:{window_end}"
    try:
        count = _increment(key, expires_at=window_end, now=epoch)
    except RedisError:
        log.warning("rate limiter unavailable; letting %s %s through", scope, identity, exc_info=True)
        return
    if count > limit:
        raise RateLimited(retry_after=window_end - epoch)
