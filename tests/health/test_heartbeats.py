"""The scheduler and the SLA sweep record their beats, in the database, in both modes."""
import logging
import os

import sqlalchemy as sa

from casehub import create_app
from casehub.extensions import db
from casehub.health.heartbeats import record_beat
from casehub.health.models import Beat, Heartbeat
from casehub.models import utcnow
from casehub.sla.jobs import sla_sweep
from config import TestConfig
from workers.scheduler import PeriodicJob, enqueue_periodic


def _beats() -> dict:
    db.session.expire_all()
    return {row.name: row for row in db.session.scalars(sa.select(Heartbeat))}


def test_the_scheduler_beats_each_time_it_enqueues_a_job(app, redis_conn):
    before = utcnow()
    enqueue_periodic(app, PeriodicJob("outbox_sweep", sla_sweep, 30, "high"))
    first = _beats()[Beat.SCHEDULER].at
    enqueue_periodic(app, PeriodicJob("outbox_sweep", sla_sweep, 30, "high"))
    beats = _beats()
    assert list(beats) == [Beat.SCHEDULER]
    assert before <= first <= beats[Beat.SCHEDULER].at <= utcnow()
    assert beats[Beat.SCHEDULER].source.endswith(f":{os.getpid()}")
    assert app.extensions["queues"]["high"].count == 2


def test_the_sla_sweep_beats_when_it_finishes(app):
    before = utcnow()
    assert sla_sweep() == {"cases": 0, "messages": 0}
    assert before <= _beats()[Beat.SLA_SWEEP].at <= utcnow()


def test_the_embedded_scheduler_beats_into_sqlite(embedded_app):
    enqueue_periodic(embedded_app, PeriodicJob("statistics_refresh", utcnow, 300, "low"))
    embedded_app.extensions["queues"]["low"].executor.shutdown(wait=True)  # let the in-process job finish
    assert Beat.SCHEDULER in _beats()


def test_a_beat_that_cannot_be_written_is_logged_and_the_caller_goes_on(app, caplog):
    class NoDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:1/casehub"

    unreachable = create_app(NoDatabase)
    with unreachable.app_context(), caplog.at_level(logging.WARNING):
        record_beat(Beat.SCHEDULER, utcnow())
    assert "could not record the scheduler heartbeat: OperationalError" in caplog.text
