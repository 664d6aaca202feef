"""RQ worker: `python -m workers.worker [--burst] [QUEUE ...]` (all queues, most urgent first, when none is named).

`--burst` drains the queues and exits (operations, tests) instead of waiting for more work.

The app is built once; each job runs in the worker process itself, inside an app context of its
own. RQ's default worker forks a work-horse per job, which starts cold every time (a new database
connection, templates compiled and the translations read again): about 300 ms a notification,
too slow for a typhoon's thousands of hazard notices. Jobs are short, take ids and reload their
rows, so they need no process of their own; a job's timeout still stops it (RQ's alarm signal).

Outages: the process never exits on one. RQ waits out a Redis outage while it waits for work; one
met elsewhere (finishing a job, its bookkeeping) ends RQ's loop, and `work_through_outages` waits
for Redis with a growing pause (1 s up to 30 s) and starts a fresh loop in the same process. A job
that loses its database connection fails, its session is thrown away with its app context, and RQ
retries it under its retry policy; the delivery job itself waits a lost connection out
(casehub.jobs.retry_on_disconnect).
"""
import logging
import sys
import time

import redis
from flask import Flask
from rq import SimpleWorker

from casehub import create_app
from casehub.jobs import QUEUE_NAMES

FIRST_WAIT_SECONDS = 1.0
LONGEST_WAIT_SECONDS = 30.0
# RQ checks its scheduler process (which moves retries that wait an interval back onto their queues) and
# cleans its registries at each maintenance; every 30 s, instead of every 10 minutes, so that after a Redis
# outage retries resume within a minute. A worker waiting for work wakes up for it (worker_ttl - 15 s).
MAINTENANCE_SECONDS = 30
WORKER_TTL_SECONDS = 45
log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """Runs each job in a fresh app context: its session, and whatever it left behind, end with the job."""

    max_connection_wait_time = LONGEST_WAIT_SECONDS

    def __init__(self, *args, app: Flask, **kwargs):
        kwargs.setdefault("maintenance_interval", MAINTENANCE_SECONDS)
        kwargs.setdefault("worker_ttl", WORKER_TTL_SECONDS)
        super().__init__(*args, **kwargs)
        self.app = app
        self.stop_requested = False

    def handle_warm_shutdown_request(self):
        self.stop_requested = True
        super().handle_warm_shutdown_request()

    def perform_job(self, job, queue, execution) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


def wait_for_redis(connection: redis.Redis) -> None:
    """Block until Redis answers, pausing 1 s, 2 s, 4 s ... at most 30 s between tries."""
    wait = FIRST_WAIT_SECONDS
    while True:
        try:
            connection.ping()
            return
        except redis.RedisError as error:
            log.error("Redis unreachable (%s); trying again in %.0f s", error, wait)
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_SECONDS)


def work_through_outages(app: Flask, names: list[str], *, burst: bool = False) -> None:
    """Work the queues until asked to stop (or, in burst mode, until they are empty), whatever Redis does."""
    connection = app.extensions["redis"]
    queues = [app.extensions["queues"][name] for name in names]
    pause = FIRST_WAIT_SECONDS
    while True:
        # A fresh worker each round: the one before may not have been able to tell Redis it ended.
        worker = AppWorker(queues, connection=connection, app=app)
        started = time.monotonic()
        try:
            worker.work(with_scheduler=True, burst=burst)
        except redis.RedisError as error:
            log.error("worker %s lost Redis (%s)", worker.name, error)
        if burst or worker.stop_requested:
            return
        # Rounds that keep failing at once back off too, even while Redis answers.
        pause = FIRST_WAIT_SECONDS if time.monotonic() - started > LONGEST_WAIT_SECONDS else \
            min(pause * 2, LONGEST_WAIT_SECONDS)
        log.warning("worker %s stopped on an error; starting again in %.0f s, once Redis answers", worker.name, pause)
        time.sleep(pause)
        wait_for_redis(connection)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    if not app.config["REDIS_URL"]:
        sys.exit("REDIS_URL is not set: in embedded mode jobs run inside the web process; no worker is needed.")
    burst = "--burst" in argv
    names = [name for name in argv if name != "--burst"] or list(QUEUE_NAMES)
    unknown = sorted(set(names) - set(QUEUE_NAMES))
    if unknown:
        sys.exit(f"Unknown queue(s): {', '.join(unknown)}. Queues: {', '.join(QUEUE_NAMES)}.")
    work_through_outages(app, names, burst=burst)


if __name__ == "__main__":
    main(sys.argv[1:])
