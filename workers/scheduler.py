"""The scheduler: `python -m workers.scheduler`. It only enqueues; RQ workers do the work.

Only one scheduler acts at a time: each holds a lock in Redis and renews it; a second
process waits as a standby and takes over when the lock expires. Each job it enqueues
records its heartbeat (in the database, so embedded mode has it too) for /readyz and /metrics.

Outages: the process never exits on one. While Redis does not answer, the scheduler stops acting
at once (it cannot renew its lock, so another may soon hold it) and tries again with a growing
pause (1 s up to 30 s), logging when Redis went and came back. Whoever then holds the lock
enqueues the outbox and SLA sweeps at once: what Redis lost, the database still has.
"""
import logging
import time
from typing import NamedTuple

import redis

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
LONGEST_WAIT_SECONDS = 30
log = logging.getLogger(__name__)


class PeriodicJob(NamedTuple):
    job_id: str  # stable, so a restarted scheduler replaces its schedule instead of adding one
    func: object
    seconds: int
    queue: str = "default"
    job_timeout: int = 300
    retries: tuple[int, ...] = (10, 30, 60)  # seconds before each retry of a failed run
    catch_up: bool = False  # also run at once when a scheduler takes over (after an outage, a failover)


# Features add their periodic jobs here; plain (id, func, seconds, queue) tuples work too.
PERIODIC_JOBS: list[PeriodicJob | tuple] = [
    PeriodicJob("sla_sweep", sla_sweep, 60, "default", catch_up=True),
    # On "high" so a backlog of ordinary work never holds up retries and what Redis missed while down.
    PeriodicJob("outbox_sweep", sweep_outbox, 30, "high", job_timeout=120, catch_up=True),
    PeriodicJob("statistics_refresh", refresh_statistics, 300, "low", job_timeout=600),
    # Hourly: it acts from the first working day of the month on, once per supervisor and month.
    PeriodicJob("monthly_agency_analysis", send_monthly_analyses, 3600, "low", job_timeout=1800),
]


class Leadership:
    """The single-leader lock: redis-py's Lock (a random token, a TTL, renewed by a compare-and-set script).

    `acting` holds only until shortly before the TTL bought by the last renewal runs out, measured
    from before that renewal was sent: a leader cut off from Redis stops acting before any other
    scheduler can take the lock over, so two never act at once.
    """

    def __init__(self, connection: redis.Redis, seconds: float = LOCK_SECONDS, margin: float = TICK_SECONDS):
        self.lock = connection.lock(LOCK_KEY, timeout=seconds, blocking=False, thread_local=False)
        self.seconds, self.margin = seconds, margin
        self.valid_until = 0.0

    @property
    def acting(self) -> bool:
        return time.monotonic() < self.valid_until

    def renew(self) -> bool:
        """Extend our lock, or take it when free; False (standing by) when another holds it. Raises RedisError."""
        asked_at = time.monotonic()
        held = False
        if self.lock.local.token is not None:
            try:
                held = self.lock.reacquire()
            except redis.exceptions.LockNotOwnedError:
                self.lock.local.token = None  # expired while we were away (or Redis restarted empty)
        held = held or self.lock.acquire(blocking=False)
        self.valid_until = asked_at + self.seconds - self.margin if held else 0.0
        return held

    def stand_down(self) -> None:
        self.valid_until = 0.0


def enqueue_periodic(app: Flask, job: PeriodicJob, leadership: Leadership | None = None) -> None:
    """Put one run of `job` on its queue, with its timeout and retries; nothing unless this scheduler leads."""
    if leadership is not None and not leadership.acting:
        log.info("not enqueuing %s: this scheduler does not hold the lock", job.job_id)
        return
    with app.app_context():
        app.extensions["queues"][job.queue].enqueue(
            job.func, job_timeout=job.job_timeout, retry=Retry(max=len(job.retries), interval=list(job.retries)))
        record_beat(Beat.SCHEDULER, utcnow())


def build_scheduler(app: Flask, leadership: Leadership | None = None) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    for entry in PERIODIC_JOBS:
        job = PeriodicJob(*entry)
        scheduler.add_job(enqueue_periodic, "interval", seconds=job.seconds, args=(app, job, leadership),
                          id=job.job_id, replace_existing=True, coalesce=True, max_instances=1)
    return scheduler


def start_embedded_scheduler(app: Flask) -> BackgroundScheduler:
    """Embedded mode: the same schedule, inside the web process, feeding the in-process queue."""
    scheduler = build_scheduler(app)
    scheduler.start()
    return scheduler


def lead_or_stand_by(app: Flask, leadership: Leadership, scheduler: BackgroundScheduler, active: bool) -> bool:
    """One tick: renew or take the lock, and resume or pause the schedule to match; whether this one leads now.

    Raises RedisError, the schedule paused.
    """
    try:
        holds = leadership.renew()
        if holds and not active:
            log.info("scheduler is now active")
            scheduler.resume()
            for job in (PeriodicJob(*entry) for entry in PERIODIC_JOBS):
                if job.catch_up:
                    enqueue_periodic(app, job, leadership)
        elif active and not holds:
            log.warning("scheduler lost the lock; standing by")
            scheduler.pause()
    except redis.RedisError:
        leadership.stand_down()
        scheduler.pause()
        raise
    return holds


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    connection = app.extensions["redis"]
    if connection is None:
        raise SystemExit("REDIS_URL is not set: in embedded mode the scheduler runs inside the web process.")
    leadership = Leadership(connection)
    scheduler = build_scheduler(app, leadership)
    scheduler.start(paused=True)
    active, wait, outage_since = False, 1.0, None
    while True:
        try:
            active = lead_or_stand_by(app, leadership, scheduler, active)
        except redis.RedisError as error:
            if outage_since is None:
                outage_since = time.monotonic()
                log.error("Redis unreachable (%s); not acting until it answers", error)
            active = False
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_SECONDS)
            continue
        if outage_since is not None:
            log.warning("Redis answers again after %.0f s", time.monotonic() - outage_since)
            outage_since, wait = None, 1.0
        time.sleep(TICK_SECONDS)


if __name__ == "__main__":
    main()
