"""Statistics jobs, run by RQ workers on the "low" queue (in-process in embedded mode)."""
from datetime import datetime

from casehub.extensions import db
from casehub.models import utcnow
from casehub.reports import monthly
from casehub.reports.rollup import refresh_rollups


def refresh_statistics(now: datetime | None = None) -> dict:
    """Recompute today's roll-up, finalise the days that ended, and days that gained late letters. Safe to run twice."""
    result = refresh_rollups(now or utcnow())
    db.session.commit()
    return {"days": result.days, "cells": result.cells}


def send_monthly_analyses(now: datetime | None = None) -> dict:
    """E-mail last month's analysis to agency supervisors once the month's first working day has come.

    Runs every hour; each supervisor gets each month's analysis once (outbox de-duplication key).
    """
    written = monthly.send_monthly_analyses(now or utcnow())
    db.session.commit()
    return {"messages": written}
