"""Embedded mode (SQLite, no Redis): the statistics refresh runs in-process and every report reads it."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casehub.cases.models import Case
from casehub.directory.models import Category
from casehub.directory.seed import seed_demo_cases, seed_demo_users, seed_reference_data
from casehub.extensions import db
from casehub.models import utcnow
from casehub.reports.importer import CALL_COLUMNS, CASE_COLUMNS, import_calls, import_cases
from casehub.reports.models import DailyCallStat
from casehub.reports.queries import ReportFilters, calls_report, sla_report
from casehub.reports.rollup import city_today
from workers.scheduler import PERIODIC_JOBS, PeriodicJob, enqueue_periodic


def test_statistics_and_reports_work_on_sqlite(embedded_app):
    seed_reference_data()
    seed_demo_users()
    seed_demo_cases()
    today = city_today(utcnow())
    result = import_calls([",".join(CALL_COLUMNS), f"{today} 00:00:01,{today} 00:02:01,consultation,yes,yes"],
                          now=utcnow())
    db.session.commit()
    assert result.imported == 1
    refresh = next(PeriodicJob(*entry) for entry in PERIODIC_JOBS if entry[0] == "statistics_refresh")
    enqueue_periodic(embedded_app, refresh)
    embedded_app.extensions["queues"]["low"].executor.shutdown(wait=True)
    db.session.expire_all()
    assert db.session.get(DailyCallStat, today) is not None

    yesterday = today - timedelta(days=1)  # the first refresh computes yesterday and today
    zone = ZoneInfo(embedded_app.config["TIMEZONE"])
    received = [case for case in db.session.scalars(sa.select(Case))
                if yesterday <= case.received_at.astimezone(zone).date() <= today]
    assert sla_report(ReportFilters(yesterday, today), "agency").totals.received == len(received) > 0
    assert calls_report(today, today)["total"] == 1

    category = db.session.scalar(sa.select(Category).where(Category.code == "pothole"))
    legacy = import_cases([",".join(CASE_COLUMNS), f"L-1,dispatch,phone,pothole,,,2026-03-02 09:00,"
                           f"{category.default_agency.code},,2026-03-02 11:00,,2026-03-02 13:00,resolved,yes"],
                          source="legacy.csv", now=utcnow())
    db.session.commit()
    imported = db.session.scalar(sa.select(Case).where(Case.number == "L-1"))
    assert legacy.imported == 1 and [event.type for event in imported.events] == ["received", "assigned", "resolved"]
    assert imported.paused_seconds == 0 and imported.attributes == {}
    client = embedded_app.test_client()
    client.post("/login", data={"username": "manager", "password": "Kaohsiung-1999-rdec"})
    assert client.get("/reports/").status_code == 200
    assert client.get(f"/api/v1/reports/sla?from={today}&to={today}&group_by=district").status_code == 200
