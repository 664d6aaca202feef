"""The scheduler: `python -m workers.scheduler`. It only enqueues; RQ workers do the work.

Only one scheduler acts at a time: each holds a lock in Redis and renews it; a second
process waits as a standby and takes over when the lock expires. Every tick it writes a
heartbeat that /readyz reports.
"""
import logging
import os
import socket
import time

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from casehub import create_app
from casehub.health import HEARTBEAT_KEY
from casehub.models import utcnow

LOCK_KEY = "casehub:scheduler:lock"
LOCK_SECONDS = 30
TICK_SECONDS = 10
log = logging.getLogger(__name__)

# (stable id, job function, seconds between runs, queue). Features add their sweeps here.
PERIODIC_JOBS: list[tuple[str, object, int, str]] = []


def _enqueue_periodic(app: Flask, func, queue: str) -> None:
    with app.app_context():
        app.extensions["queues"][queue].enqueue(func)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    for job_id, func, seconds, queue in PERIODIC_JOBS:
        scheduler.add_job(_enqueue_periodic, "interval", seconds=seconds, args=(app, func, queue),
                          id=job_id, replace_existing=True, coalesce=True, max_instances=1)
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
        if active:
            redis.set(HEARTBEAT_KEY, utcnow().isoformat(), ex=LOCK_SECONDS * 4)
        time.sleep(TICK_SECONDS)


if __name__ == "__main__":
    main()
