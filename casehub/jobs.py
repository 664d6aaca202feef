"""Background jobs: RQ queues on Redis, or a thread in the server process in embedded mode.

Jobs are enqueued only after the transaction that caused them commits, so a rollback
never leaves a job behind and a job never reads rows that are not there yet.
"""
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, current_app
from redis import Redis
from rq import Queue

from casehub.extensions import db

QUEUE_NAMES = ("high", "default", "low")
# What a dropped or refused database connection raises (a failover, pg_terminate_backend, a restart).
DISCONNECTS = (sa.exc.OperationalError, sa.exc.InterfaceError)
log = logging.getLogger(__name__)
T = TypeVar("T")


class InProcessQueue:
    """Embedded mode: runs each job on one background thread inside its own app context."""

    def __init__(self, app: Flask, executor: ThreadPoolExecutor):
        self.app = app
        self.executor = executor

    def enqueue(self, func, *args, **options):
        for rq_only in ("job_timeout", "retry", "job_id", "unique", "result_ttl", "failure_ttl"):
            options.pop(rq_only, None)
        return self.executor.submit(self._run, func, args, options)

    def _run(self, func, args, kwargs):
        with self.app.app_context():
            try:
                return func(*args, **kwargs)
            except Exception:
                log.exception("in-process job %s failed", getattr(func, "__name__", func))
                raise


def init_app(app: Flask) -> None:
    if app.config["REDIS_URL"]:
        # A Redis host that vanishes must cost a request two seconds, not the kernel's TCP timeout.
        connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2)
        app.extensions["redis"] = connection
        app.extensions["queues"] = {name: Queue(name, connection=connection) for name in QUEUE_NAMES}
    else:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casehub-job")
        queue = InProcessQueue(app, executor)
        app.extensions["redis"] = None
        app.extensions["queues"] = {name: queue for name in QUEUE_NAMES}


def get_queue(name: str = "default"):
    return current_app.extensions["queues"][name]


def enqueue_after_commit(func, *args, queue: str = "default", **options) -> None:
    """Enqueue `func(*args)` once the current transaction commits; dropped on rollback."""
    app = current_app._get_current_object()
    db.session.info.setdefault("pending_jobs", []).append((app, queue, func, args, options))


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _enqueue_pending(session):
    for app, queue, func, args, options in session.info.pop("pending_jobs", []):
        try:
            app.extensions["queues"][queue].enqueue(func, *args, **options)
        except Exception:
            # The transaction is committed: raising now would report a saved change as failed. Work that
            # must happen is recorded in the database (the outbox) and swept up once Redis answers again.
            log.exception("could not enqueue %s after commit", getattr(func, "__name__", func))


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    # Also on a SAVEPOINT rollback: a job must not outlive the work that asked for it.
    session.info.pop("pending_jobs", None)


def retry_on_disconnect(work: Callable[[], T], *, seconds: float, first_wait: float = 0.5,
                        longest_wait: float = 5.0) -> T:
    """Run `work()` (which commits) and, when the database connection is lost, run it again on a fresh one.

    Waits grow from `first_wait` to `longest_wait`; after `seconds` the error is raised (the job's retry
    policy takes over). `work` must be safe to run again after a commit whose outcome was lost.
    """
    deadline = time.monotonic() + seconds
    wait = first_wait
    while True:
        try:
            return work()
        except DISCONNECTS as error:
            db.session.rollback()  # drops the dead connection; the next statement checks out a live one
            if time.monotonic() + wait > deadline:
                raise
            log.warning("database connection lost (%s); trying again in %.1f s",
                        str(error.orig or error).splitlines()[0], wait)
            time.sleep(wait)
            wait = min(wait * 2, longest_wait)
