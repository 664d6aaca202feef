"""Embedded mode (SQLite, no Redis): the scheduler's SLA sweep runs on the in-process queue, once."""
import sqlalchemy as sa

from casehub.cases.models import Case
from casehub.directory.seed import seed_demo_cases, seed_demo_users, seed_reference_data
from casehub.extensions import db
from casehub.notify.models import OutboxMessage
from casehub.sla.jobs import sla_sweep
from workers.scheduler import PERIODIC_JOBS, PeriodicJob, enqueue_periodic


def test_the_sla_sweep_runs_in_process_on_sqlite(embedded_app):
    seed_reference_data()
    seed_demo_users()
    seed_demo_cases()  # a fallen tree reported five hours ago: keyed in after its four-hour deadline
    db.session.commit()
    sweep = next(PeriodicJob(*entry) for entry in PERIODIC_JOBS if entry[0] == "sla_sweep")
    enqueue_periodic(embedded_app, sweep)
    embedded_app.extensions["queues"]["default"].executor.shutdown(wait=True)
    fallen_tree = db.session.scalar(sa.select(Case).where(Case.description.like("颱風過後路樹%")))
    templates = db.session.scalars(sa.select(OutboxMessage.template).where(
        OutboxMessage.case_id == fallen_tree.id, OutboxMessage.dedup_key.like("sla:%"))).all()
    assert templates == ["sla_overdue_supervisor"]
    assert sla_sweep()["messages"] == 0  # run again: nothing new
