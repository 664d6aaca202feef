"""The scheduler: one of several acts (a Redis lock), and it enqueues the SLA sweep with a timeout and retries."""
from casehub.sla.jobs import sla_sweep
from workers.scheduler import LOCK_KEY, PERIODIC_JOBS, PeriodicJob, build_scheduler, enqueue_periodic, hold_lock


def test_two_schedulers_contend_for_the_lock_and_one_acts(redis_conn):
    assert hold_lock(redis_conn, "host-a:1")
    assert not hold_lock(redis_conn, "host-b:2")  # stands by
    assert hold_lock(redis_conn, "host-a:1")  # renews its own lock
    redis_conn.delete(LOCK_KEY)  # as if host-a died and its lock expired
    assert hold_lock(redis_conn, "host-b:2")
    assert not hold_lock(redis_conn, "host-a:1")


def test_the_sla_sweep_runs_every_minute_with_a_timeout_and_retries(app, redis_conn):
    sweep = next(PeriodicJob(*entry) for entry in PERIODIC_JOBS if entry[0] == "sla_sweep")
    assert (sweep.func, sweep.seconds, sweep.queue) == (sla_sweep, 60, "default")
    assert build_scheduler(app).get_job("sla_sweep") is not None
    enqueue_periodic(app, sweep)
    job = app.extensions["queues"]["default"].jobs[0]
    assert (job.func_name, job.timeout, job.retries_left) == ("casehub.sla.jobs.sla_sweep", 300, 3)
