"""Each expected notification is written exactly once: two schedulers, several workers, a lost Redis."""
from collections import Counter

from rq import Retry, SimpleWorker

from casehub.jobs import QUEUE_NAMES
from casehub.sla.jobs import sla_sweep
from tests.workers.conftest import NOW, outbox_keys


def enqueue_sweeps(app, count: int) -> None:
    """What a scheduler's ticks do, with NOW passed in instead of read from the clock."""
    for _ in range(count):
        app.extensions["queues"]["default"].enqueue(sla_sweep, NOW, job_timeout=300, retry=Retry(max=3))


def test_two_schedulers_and_several_workers_write_each_notification_once(app, redis_conn, due_batch, start_worker):
    enqueue_sweeps(app, 3)  # the active scheduler
    enqueue_sweeps(app, 3)  # a second one that also fired while taking over the lock
    workers = [start_worker("--burst"), start_worker("--burst")]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()
    default = app.extensions["queues"]["default"]
    assert (default.count, default.failed_job_registry.count) == (0, 0)  # the two processes ran all six
    assert len(outbox_keys()) == 50
    enqueue_sweeps(app, 2)
    queues = [app.extensions["queues"][name] for name in QUEUE_NAMES]
    for _ in range(2):
        SimpleWorker(queues, connection=redis_conn).work(burst=True)
    keys = outbox_keys()
    assert Counter(keys).most_common(1)[0][1] == 1
    assert set(keys) == due_batch  # 50 rows: nothing missed, nothing twice
    assert len(keys) == 50

    redis_conn.flushdb()  # Redis restarted empty: the database still knows what was sent
    enqueue_sweeps(app, 1)
    SimpleWorker(queues, connection=redis_conn).work(burst=True)
    assert len(outbox_keys()) == 50


def test_the_sla_sweep_queues_each_notice_it_writes_hazards_first(app, redis_conn, due_batch):
    """A hazard reminder does not wait for the outbox sweep: the SLA sweep's commit queues its delivery."""
    queues = app.extensions["queues"]
    before = queues["high"].count, queues["default"].count  # the notices of the cases being opened
    sla_sweep(NOW)
    # 20 hazards with two notices each on "high", 10 petitions with one on "default": the 50 rows written.
    assert (queues["high"].count - before[0], queues["default"].count - before[1]) == (40, 10)
