import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from casehub.cases.models import CaseStatus
from casehub.extensions import db
from casehub.notify.models import OutboxMessage
from config import TestConfig
from tests.sla import taipei

ROOT = Path(__file__).resolve().parents[2]
NOW = taipei(2026, 11, 26, 15)


def wait_for(condition, *, seconds: float = 120, what: str = "condition") -> None:
    """Poll until `condition()` holds: waiting for another process to get somewhere, not for the clock."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def start_worker():
    """Start `python -m workers.worker [args]` against the tests' database and Redis; killed at teardown."""
    started = []

    def _start(*args: str) -> subprocess.Popen:
        env = os.environ | {"DATABASE_URL": TestConfig.SQLALCHEMY_DATABASE_URI, "REDIS_URL": TestConfig.REDIS_URL,
                            "CASEHUB_ENV": "test", "SECRET_KEY": TestConfig.SECRET_KEY}
        # A session of its own, so teardown can kill the worker's whole group: RQ forks a scheduler process
        # and work-horses that would otherwise outlive a killed worker and act on the tests' Redis later.
        process = subprocess.Popen([sys.executable, "-m", "workers.worker", *args], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        started.append(process)
        return process

    yield _start
    for process in started:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


@pytest.fixture
def due_batch(sla_world):
    """Cases crossing their thresholds by NOW (Thu 2026-11-26 15:00), committed; returns the outbox keys expected."""
    agency, supervisor = f"agency{sla_world.agency.id}", f"user{sla_world.supervisor.id}"
    expected = set()
    for _ in range(10):
        # Hazard received at 10:00: due 14:00, overdue at 15:00. Owed: the first-response notice (10:30,
        # not accepted) and the supervisors' overdue notice; the 50% and 80% reminders are moot by now.
        case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
        expected |= {f"sla:{case.id}:first_response:due:v1:{agency}",
                     f"sla:{case.id}:resolution:overdue:v1:{supervisor}"}
        # Hazard received at 12:30: first response due 13:00, 50% at 14:30 (80% only at 15:42).
        case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 12, 30))
        expected |= {f"sla:{case.id}:first_response:due:v1:{agency}", f"sla:{case.id}:resolution:50pct:v1:{agency}"}
        # Petition received Mon 11-23 10:00: first response (480 office minutes) due Tue 11-24 08:30.
        case = sla_world.open(sla_world.petition, taipei(2026, 11, 23, 10))
        expected.add(f"sla:{case.id}:first_response:due:v1:{agency}")
    for _ in range(3):  # resolved: never reminded
        sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10)).status = CaseStatus.RESOLVED
    db.session.commit()
    return expected


def outbox_keys() -> list[str]:
    """The de-duplication keys of the SLA's outbox rows, as committed by whichever process wrote them."""
    db.session.rollback()  # see what the workers committed
    return db.session.scalars(sa.select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.like("sla:%"))).all()
