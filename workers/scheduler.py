"""The scheduler: `python -m workers.scheduler`. It only enqueues; RQ workers do the work.

Only one scheduler acts at a time: each holds a lock in Redis and renews it; a second
process waits as a standby and takes over when the lock expires. Each job it enqueues
records its heartbeat (in the database, so embedded mode has it too) for /readyz and /metrics.
"""
import logging
import os
import socket
import time
from typing import NamedTuple

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from rq import Retry

from casehub import create_app
from casehub.health.heartbeats import record_beat
from casehub.health.models import Beat
from casehub.models import utcnow
from casehub.notify.jobs import sweep_outbox
from casehub.reports.jobs import refresh_statistics, send_monthly_analyses
from casehub.sla.jobs import sla_sweep

LOCK_KEY = "casehub:scheduler:lock"
LOCK_SECONDS = 30
TICK_SECONDS = 10
log = logging.getLogger(__name__)


class PeriodicJob(NamedTuple):
    job_id: str  # stable, so a restarted scheduler replaces its schedule instead of adding one
    func: object
    seconds: int
    queue: str = "default"
    job_timeout: int = 300
    retries: tuple[int, ...] = (10, 30, 60)  # seconds before each retry of a failed run


# Features add their periodic jobs here; plain (id, func, seconds, queue) tuples work too.
PERIODIC_JOBS: list[PeriodicJob | tuple] = [
    PeriodicJob("sla_sweep", sla_sweep, 60, "default"),
    # On "high" so a backlog of ordinary work never holds up retries and what Redis missed while down.
    PeriodicJob("outbox_sweep", sweep_outbox, 30, "high", job_timeout=120),
    PeriodicJob("statistics_refresh", refresh_statistics, 300, "low", job_timeout=600),
    # Hourly: it acts from the first working day of the month on, once per supervisor and month.
    PeriodicJob("monthly_agency_analysis", send_monthly_analyses, 3600, "low", job_timeout=1800),
]


def enqueue_periodic(app: Flask, job: PeriodicJob) -> None:
    """Put one run of `job` on its queue, with its timeout and retries."""
    with app.app_context():
        app.extensions["queues"][job.queue].enqueue(
            job.func, job_timeout=job.job_timeout, retry=Retry(max=len(job.retries), interval=list(job.retries)))
        record_beat(Beat.SCHEDULER, utcnow())


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    for entry in PERIODIC_JOBS:
        job = PeriodicJob(*entry)
        scheduler.add_job(enqueue_periodic, "interval", seconds=job.seconds, args=(app, job),
                          id=job.job_id, replace_existing=True, coalesce=True, max_instances=1)
    return scheduler


def start_embedded_scheduler(app: Flask) -> BackgroundScheduler:
    """Embedded mode: the same schedule, inside the web process, feeding the in-process queue."""
    scheduler = build_scheduler(app)
    scheduler.start()
    return scheduler


def hold_lock(redis, owner: str) -> bool:
    """Take the lock if free, or renew it if ours; True while this process is the active one."""
    if redis.set(LOCK_KEY, owner, nx=True, ex=LOCK_SECONDS):
        return True
    if redis.get(LOCK_KEY) == owner.encode():
        redis.expire(LOCK_KEY, LOCK_SECONDS)
        return True
    return False


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    redis = app.extensions["redis"]
    if redis is None:
        raise SystemExit("REDIS_URL is not set: in embedded mode the scheduler runs inside the web process.")
    owner = f"{socket.gethostname()}:{os.getpid()}"
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    active = False
    while True:
        holds = hold_lock(redis, owner)
        if holds and not active:
            log.info("scheduler %s is now active", owner)
            scheduler.resume()
        elif active and not holds:
            log.warning("scheduler %s lost the lock; standing by", owner)
            scheduler.pause()
        active = holds
        time.sleep(TICK_SECONDS)


if __name__ == "__main__":
    main()
