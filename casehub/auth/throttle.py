"""The sign-in throttle: a growing wait after repeated failed sign-ins, per account and per client address.

The rule (also in the README, "Sessions, tokens and sign-in"):
- each failed sign-in is remembered for LOGIN_FAILURE_WINDOW_MINUTES against the username typed (whether or
  not it exists) and against the client address;
- past the free failures (LOGIN_FREE_FAILURES for an account, LOGIN_FREE_FAILURES_PER_ADDRESS for an address,
  since a call centre signs in from one address), the next attempt waits 2^(n - free) seconds after the latest
  failure, at most LOGIN_MAX_DELAY_SECONDS;
- an address's wait holds for every attempt from it; an account's wait holds only for addresses that have failed
  themselves and from which the account has not signed in lately, so that someone guessing an operator's
  password elsewhere cannot keep her out at her own desk;
- signing in forgets the account's failures, never the address's (one's own account must not wash an address
  clean of its guesses at others).

Failures are kept in Redis, shared by every web process, as sorted sets of their times. In embedded mode, and while
Redis cannot be reached, they are kept in this process's memory: the throttle then holds per process instead of
failing open, and it never refuses a sign-in because Redis is down.
"""
import logging
import math
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from flask import current_app
from redis import RedisError

from casehub.errors import N_, DomainError

log = logging.getLogger(__name__)

KEY_PREFIX = "casehub:login_failures:"
# A username longer than any account's cannot belong to one; the rest of it need not be kept.
MAX_VALUE_LENGTH = 64


class FailureKind(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


class SignInThrottled(DomainError):
    """Too many recent failed sign-ins: the next attempt is accepted from `retry_at` on."""

    def __init__(self, retry_at: datetime, now: datetime):
        super().__init__("sign_in_throttled", N_("Too many failed sign-ins; try again later."), status=429)
        self.retry_at = retry_at
        self.retry_after_seconds = max(math.ceil((retry_at - now).total_seconds()), 1)


@dataclass(frozen=True)
class Failures:
    """The failed sign-ins of one account or address within the window."""

    kind: FailureKind
    value: str
    count: int
    last_at: datetime

    def retry_at(self) -> datetime | None:
        """When the next attempt is accepted, or None when no wait applies."""
        config = current_app.config
        free = config["LOGIN_FREE_FAILURES" if self.kind is FailureKind.ACCOUNT else "LOGIN_FREE_FAILURES_PER_ADDRESS"]
        if self.count < free:
            return None
        delay = min(2 ** min(self.count - free, 30), config["LOGIN_MAX_DELAY_SECONDS"])
        return self.last_at + timedelta(seconds=delay)

    def waiting(self, now: datetime) -> bool:
        retry_at = self.retry_at()
        return retry_at is not None and retry_at > now


def _key(kind: FailureKind, value: str) -> str:
    return f"{KEY_PREFIX}{kind}:{value[:MAX_VALUE_LENGTH]}"


def _parse_key(key: str) -> tuple[FailureKind, str]:
    kind, _sep, value = key.removeprefix(KEY_PREFIX).partition(":")
    return FailureKind(kind), value


class MemoryFailures:
    """Failure times by key in this process, each forgotten once it leaves the window."""

    def __init__(self):
        self._times: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, at: float, window: int) -> None:
        with self._lock:
            # Forget keys whose failures have all left the window, or guessed usernames would pile up.
            for stale in [k for k, times in self._times.items() if times[-1] <= at - window]:
                del self._times[stale]
            self._times[key] = [t for t in self._times.get(key, []) if t > at - window] + [at]

    def recent(self, key: str, now: float, window: int) -> list[float]:
        with self._lock:
            return [t for t in self._times.get(key, []) if t > now - window]

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._times)

    def forget(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)


class RedisFailures:
    """Failure times by key in a Redis sorted set (score: the time), which expires with the window."""

    def __init__(self, redis):
        self.redis = redis

    def add(self, key: str, at: float, window: int) -> None:
        pipeline = self.redis.pipeline()
        pipeline.zremrangebyscore(key, "-inf", at - window)
        pipeline.zadd(key, {f"{at}:{secrets.token_hex(4)}": at})
        pipeline.expire(key, window)
        pipeline.execute()

    def recent(self, key: str, now: float, window: int) -> list[float]:
        return [score for _member, score in self.redis.zrangebyscore(key, f"({now - window}", "+inf", withscores=True)]

    def keys(self) -> list[str]:
        return [key.decode() for key in self.redis.scan_iter(match=KEY_PREFIX + "*", count=500)]

    def forget(self, key: str) -> None:
        self.redis.delete(key)


def _memory() -> MemoryFailures:
    return current_app.extensions.setdefault("sign_in_failures", MemoryFailures())


def _shared(operation: Callable, fallback: Callable):
    """`operation(redis_store)`; in embedded mode, or when Redis fails, `fallback()` (this process's memory)."""
    redis = current_app.extensions["redis"]
    if redis is not None:
        try:
            return operation(RedisFailures(redis))
        except RedisError:
            log.warning("sign-in throttle: Redis unavailable, counting in this process", exc_info=True)
    return fallback()


def _window() -> int:
    return current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"] * 60


def sign_in_failures(kind: FailureKind, value: str, *, now: datetime) -> Failures | None:
    """The failed sign-ins of an account or address within the window; None when there are none."""
    key, at, window = _key(kind, value), now.timestamp(), _window()
    # What was counted in memory while Redis was down counts as well as what Redis holds.
    times = _memory().recent(key, at, window) + _shared(lambda store: store.recent(key, at, window), list)
    if not times:
        return None
    return Failures(kind, value[:MAX_VALUE_LENGTH], len(times), datetime.fromtimestamp(max(times), timezone.utc))


def sign_in_wait(username: str, address: str, *, now: datetime, known_address: Callable[[], bool]) -> datetime | None:
    """When a sign-in as `username` from `address` may next be tried, or None when it may be tried now.

    `known_address()` says whether the account signed in from this address lately; it is asked only when the
    account alone would make the attempt wait.
    """
    waits = []
    by_address = sign_in_failures(FailureKind.ADDRESS, address, now=now)
    if by_address is not None and by_address.waiting(now):
        waits.append(by_address.retry_at())
    by_account = sign_in_failures(FailureKind.ACCOUNT, username, now=now)
    if by_account is not None and by_account.waiting(now) and by_address is not None and not known_address():
        waits.append(by_account.retry_at())
    return max(waits, default=None)


def record_sign_in_failure(username: str, address: str, *, now: datetime) -> None:
    """Remember a failed sign-in against the username typed and the address it came from."""
    at, window = now.timestamp(), _window()
    for key in (_key(FailureKind.ACCOUNT, username), _key(FailureKind.ADDRESS, address)):
        _shared(lambda store: store.add(key, at, window), lambda: _memory().add(key, at, window))


def forget_sign_in_failures(kind: FailureKind, value: str) -> None:
    """Clear the failures of one account or address (after a good sign-in, or by an administrator)."""
    key = _key(kind, value)
    _memory().forget(key)
    _shared(lambda store: store.forget(key), lambda: None)


def recent_sign_in_failures(*, now: datetime) -> list[Failures]:
    """Every account and address with failed sign-ins in the window, those waiting now first, then the latest."""
    keys = set(_memory().keys()) | set(_shared(lambda store: store.keys(), list))
    found = [failures for key in keys if (failures := sign_in_failures(*_parse_key(key), now=now)) is not None]
    return sorted(found, key=lambda f: (not f.waiting(now), -f.last_at.timestamp(), f.kind, f.value))
