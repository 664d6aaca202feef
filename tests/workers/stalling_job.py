"""A test-only job: an SLA sweep that, on its first run, hangs before committing until the test kills it."""
import os
import time
from datetime import datetime
from pathlib import Path

from casehub.extensions import db
from casehub.sla.reminders import run_sla_sweep


def sweep_then_stall(now_iso: str, marker: str) -> None:
    """Sweep (flushed, not committed); the first run writes its pid to `marker` and hangs, later runs commit."""
    run_sla_sweep(datetime.fromisoformat(now_iso))
    db.session.flush()
    if not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)  # the test kills this process (SIGKILL) long before
    db.session.commit()
