"""The scheduler: one of several acts (a Redis lock), and it enqueues the SLA sweep with a timeout and retries."""
import time

import pytest
import redis
from redis import Redis

from casehub.sla.jobs import sla_sweep
from tests.notify.conftest import free_port
from workers.scheduler import (LOCK_KEY, PERIODIC_JOBS, Leadership, PeriodicJob, build_scheduler, enqueue_periodic,
                               lead_or_stand_by)


def test_two_schedulers_contend_for_the_lock_and_one_acts(redis_conn):
    first, second = Leadership(redis_conn), Leadership(redis_conn)
    assert first.renew() and first.acting
    assert not second.renew() and not second.acting  # stands by
    assert first.renew()  # renews its own lock
    redis_conn.delete(LOCK_KEY)  # as if the first died and its lock expired, or Redis restarted empty
    assert second.renew() and second.acting
    assert not first.renew() and not first.acting  # its token no longer matches: it stops acting


def test_a_leader_stops_acting_before_its_lock_can_expire(redis_conn):
    leadership = Leadership(redis_conn, seconds=30, margin=10)
    asked_before = time.monotonic()
    assert leadership.renew()
    lock_expires = time.monotonic() + redis_conn.pttl(LOCK_KEY) / 1000
    assert asked_before + 20 - 0.01 <= leadership.valid_until <= lock_expires - 10 + 0.01


def test_a_leader_cut_off_from_redis_pauses_and_enqueues_nothing(app, redis_conn):
    unreachable = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    leadership = Leadership(redis_conn)
    scheduler = build_scheduler(app, leadership)
    scheduler.start(paused=True)
    try:
        assert lead_or_stand_by(app, leadership, scheduler, active=False)  # takes the lock, catches up at once
        queues = app.extensions["queues"]
        assert (queues["high"].count, queues["default"].count) == (1, 1)  # the outbox sweep and the SLA sweep
        leadership.lock.redis = unreachable  # Redis goes away
        with pytest.raises(redis.RedisError):
            lead_or_stand_by(app, leadership, scheduler, active=True)
        assert not leadership.acting and scheduler.state == 2  # STATE_PAUSED
        enqueue_periodic(app, PeriodicJob("sla_sweep", sla_sweep, 60), leadership)
        assert queues["default"].count == 1  # nothing more
    finally:
        scheduler.shutdown(wait=False)


def test_the_sla_sweep_runs_every_minute_with_a_timeout_and_retries(app, redis_conn):
    sweep = next(PeriodicJob(*entry) for entry in PERIODIC_JOBS if entry[0] == "sla_sweep")
    assert (sweep.func, sweep.seconds, sweep.queue) == (sla_sweep, 60, "default")
    assert build_scheduler(app).get_job("sla_sweep") is not None
    enqueue_periodic(app, sweep)
    job = app.extensions["queues"]["default"].jobs[0]
    assert (job.func_name, job.timeout, job.retries_left) == ("casehub.sla.jobs.sla_sweep", 300, 3)
