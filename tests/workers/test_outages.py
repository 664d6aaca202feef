"""Outages ridden out by real processes: a private redis-server stopped mid-backlog and started again empty,
and the worker's database connections terminated again and again mid-delivery (as a failover does).

Every message reaches the SMTP server or the SMS gateway exactly once, within 60 s of the service
coming back, and the worker and the scheduler started at the beginning are the ones still running.
"""
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from casehub.extensions import db
from casehub.notify.models import OutboxChannel, OutboxMessage, OutboxStatus
from casehub.notify.outbox import add_to_outbox
from tests.workers.conftest import NOW, OUTAGE_APPLICATION, wait_for

BACKLOG = 40
RECOVERY_LIMIT_SECONDS = 60
OUTAGE_SECONDS = 5


def write_messages(first: int, count: int) -> set[str]:
    """Urgent messages (no office hours, no hourly limit), every other one by SMS; their recipients."""
    rows, recipients = [], set()
    for number in range(first, first + count):
        channel = OutboxChannel.SMS if number % 2 else OutboxChannel.EMAIL
        recipient = f"0912{number:06d}" if channel is OutboxChannel.SMS else f"r{number}@example.test"
        recipients.add(recipient)
        rows.append({"dedup_key": f"outage:{number}", "channel": channel, "recipient": recipient,
                     "template": "case_accepted", "urgent": True, "next_attempt_at": NOW, "created_at": NOW,
                     "payload": {"case_number": f"2026112600{number:04d}", "category": "路燈故障",
                                 "agency": "工務局", "received_at": (NOW - timedelta(hours=1)).isoformat()}})
    add_to_outbox(rows)
    db.session.commit()
    return recipients


def all_sent() -> bool:
    db.session.rollback()  # see what the worker committed
    return db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status != OutboxStatus.SENT)) == 0


def start_both(start_process, redis_url: str, sinks):
    worker = start_process("worker", redis_url, sinks.env)
    scheduler = start_process("scheduler", redis_url, sinks.env)  # taking the lock, it sweeps the outbox at once
    return worker, scheduler


def assert_delivered_once_and_never_restarted(sinks, expected: set[str], recovered_at: float, *processes):
    wait_for(lambda: len(sinks.delivered()) >= len(expected), seconds=RECOVERY_LIMIT_SECONDS + 30,
             what="every message to arrive")
    wait_for(all_sent, seconds=30, what="every message to be saved as sent")
    counts = Counter(sinks.delivered())
    assert set(counts) == expected and set(counts.values()) == {1}  # nothing lost, nothing twice
    recovery = sinks.last_at() - recovered_at
    print(f"last delivery {recovery:.1f} s after recovery")
    assert recovery <= RECOVERY_LIMIT_SECONDS
    for process in processes:
        assert process.poll() is None, process.log_text()  # the same process, never restarted


def test_a_redis_outage_mid_backlog_loses_and_doubles_nothing(app, private_redis, sinks, start_process):
    expected = write_messages(0, BACKLOG)
    worker, scheduler = start_both(start_process, private_redis.url, sinks)
    wait_for(lambda: len(sinks.delivered()) >= 5, seconds=60, what="the backlog to be under way")

    private_redis.stop()
    stopped_at = time.monotonic()
    expected |= write_messages(BACKLOG, 6)  # written while Redis is down: their enqueueing fails
    wait_for(lambda: "Redis unreachable" in scheduler.log_text(), seconds=60, what="the scheduler to notice")
    wait_for(lambda: any(sign in worker.log_text() for sign in ("could not connect to Redis", "lost Redis")),
             seconds=60, what="the worker to notice")
    wait_for(lambda: time.monotonic() - stopped_at >= OUTAGE_SECONDS, seconds=OUTAGE_SECONDS + 1,
             what="the outage to last")
    assert len(sinks.delivered()) < len(expected)  # the outage did cut the backlog

    private_redis.start()  # on the same port, empty: every queued job is gone
    recovered_at = time.monotonic()
    assert_delivered_once_and_never_restarted(sinks, expected, recovered_at, worker, scheduler)
    assert "Redis answers again" in scheduler.log_text()


def terminate_backends() -> int:
    """pg_terminate_backend on every connection of the worker and the scheduler; how many there were."""
    with db.engine.begin() as connection:
        return len(connection.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": OUTAGE_APPLICATION}).all())


def test_database_connections_dropped_again_and_again_mid_delivery_lose_and_double_nothing(
        app, private_redis, sinks, start_process):
    expected = write_messages(0, 3 * BACKLOG)  # longer than the drops last, on any machine
    worker, scheduler = start_both(start_process, private_redis.url, sinks)
    wait_for(lambda: len(sinks.delivered()) >= 3, seconds=60, what="the backlog to be under way")

    terminated, delivered_before, drops_until = 0, len(sinks.delivered()), time.monotonic() + 10
    while time.monotonic() < drops_until and len(sinks.delivered()) < len(expected):
        terminated += terminate_backends()
        time.sleep(0.2)
    recovered_at = time.monotonic()
    print(f"{terminated} connections terminated, {len(sinks.delivered()) - delivered_before} deliveries meanwhile")
    assert terminated >= 10 and len(sinks.delivered()) > delivered_before  # dropped mid-delivery
    assert_delivered_once_and_never_restarted(sinks, expected, recovered_at, worker, scheduler)
