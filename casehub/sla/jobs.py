"""SLA jobs, run by RQ workers (in-process in embedded mode): the periodic sweep."""
from datetime import datetime

from casehub.extensions import db
from casehub.health.heartbeats import record_beat
from casehub.health.models import Beat
from casehub.models import utcnow
from casehub.sla.reminders import SweepResult, run_sla_sweep

SWEEP_BATCH = 1000


def sweep_until_done(now: datetime) -> SweepResult:
    """Sweep batch after batch, committing each, until no case is due at `now`."""
    total = SweepResult()
    while True:
        batch = run_sla_sweep(now, limit=SWEEP_BATCH)
        db.session.commit()
        total.cases += batch.cases
        total.messages += batch.messages
        if batch.cases < SWEEP_BATCH:
            return total


def sla_sweep(now: datetime | None = None) -> dict:
    """Write the reminders and escalations due now. Safe to run twice, or in two workers at once."""
    result = sweep_until_done(now or utcnow())
    record_beat(Beat.SLA_SWEEP, utcnow())
    return {"cases": result.cases, "messages": result.messages}
