"""`python -m workers.worker` runs jobs in its own process, each in a fresh app context and session."""
import os

from rq import Retry

from tests.workers.session_jobs import leave_something_behind, lose_the_database, read_the_database, what_was_left
from workers.worker import AppWorker


def test_jobs_run_in_the_worker_process_each_with_a_session_of_its_own(app, redis_conn):
    queue = app.extensions["queues"]["default"]
    first = queue.enqueue(leave_something_behind, result_ttl=60)
    second = queue.enqueue(what_was_left, result_ttl=60)
    AppWorker([queue], connection=redis_conn, app=app).work(burst=True)
    assert first.return_value() == os.getpid()  # no work-horse forked for the job
    assert second.return_value() == (False, os.getpid())  # the first job's session ended with it


def test_a_job_that_loses_the_database_is_retried_and_the_next_job_starts_clean(app, redis_conn):
    queue = app.extensions["queues"]["default"]
    lost = queue.enqueue(lose_the_database, retry=Retry(max=2, interval=[10, 30]))
    after = queue.enqueue(read_the_database, result_ttl=60)
    AppWorker([queue], connection=redis_conn, app=app).work(burst=True)
    lost.refresh()
    assert (lost.get_status(), lost.retries_left) == ("scheduled", 1)  # back on its queue in 10 s
    assert after.return_value() == 1  # on a live connection
