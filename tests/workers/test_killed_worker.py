"""A worker killed (SIGKILL) in the middle of a sweep: its work is rolled back, the retried job writes it once."""
import os
import signal
import time

import sqlalchemy as sa
from rq import Retry, SimpleWorker
from rq.registry import StartedJobRegistry

from casehub.extensions import db
from casehub.sla.jobs import sla_sweep
from tests.workers.conftest import NOW, outbox_keys, wait_for
from tests.workers.stalling_job import sweep_then_stall


def open_transactions() -> int:
    """Sessions of other processes still holding a transaction open on the tests' database."""
    db.session.rollback()
    return db.session.scalar(sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"))


def test_a_worker_killed_mid_job_loses_nothing_and_doubles_nothing(app, redis_conn, due_batch, start_worker,
                                                                     tmp_path):
    queue = app.extensions["queues"]["default"]
    marker = tmp_path / "stalled"
    job = queue.enqueue(sweep_then_stall, NOW.isoformat(), str(marker), job_timeout=600, retry=Retry(max=2))
    worker = start_worker("default")
    wait_for(marker.exists, what="the job to reach the middle of its sweep")
    assert int(marker.read_text()) == worker.pid  # jobs run in the worker process itself
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()

    wait_for(lambda: open_transactions() == 0, what="PostgreSQL to roll the dead transaction back")
    assert outbox_keys() == []  # the sweep had flushed its rows, but never committed them

    # RQ finds the abandoned job in the started registry and, as it has retries left, requeues it.
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 10**6)
    assert job.get_status(refresh=True) == "queued"
    queue.enqueue(sla_sweep, NOW)  # and the scheduler's next tick
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    keys = outbox_keys()
    assert sorted(keys) == sorted(due_batch)  # each expected row, once
    assert job.get_status(refresh=True) == "finished"
