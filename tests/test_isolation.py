"""Canaries for the test harness itself: isolation between tests, and real after-commit hooks."""
import pytest
import sqlalchemy as sa

from casehub.directory.models import Agency, AgencyKind
from casehub.extensions import db
from casehub.jobs import enqueue_after_commit


def record_canary_agency(code: str) -> None:
    """A job: write a row, proving the job ran with the app's database."""
    db.session.add(Agency(code=code, name_zh="金絲雀", name_en="Canary", kind=AgencyKind.UNIT))
    db.session.commit()


def _canaries() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Agency.name_en == "Canary"))


@pytest.mark.parametrize("attempt", [1, 2])
def test_row_committed_in_one_test_is_gone_in_the_next(app, attempt):
    assert _canaries() == 0
    record_canary_agency(f"CANARY{attempt}")
    assert _canaries() == 1


def test_after_commit_hook_enqueues_job_only_on_commit(app, redis_conn, run_jobs):
    enqueue_after_commit(record_canary_agency, "AFTER-COMMIT")
    queue = app.extensions["queues"]["default"]
    assert queue.count == 0  # nothing before the commit
    db.session.commit()
    assert queue.count == 1
    run_jobs()
    assert _canaries() == 1


def test_rollback_drops_pending_jobs(app, redis_conn, make_agency):
    make_agency()
    enqueue_after_commit(record_canary_agency, "ROLLED-BACK")
    db.session.rollback()
    db.session.commit()
    assert app.extensions["queues"]["default"].count == 0
