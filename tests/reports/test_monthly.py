"""The monthly agency analysis: its figures and lists, and the job that e-mails it to supervisors once."""
from datetime import date

import sqlalchemy as sa

from casehub.cases.models import Case, CaseEvent, CaseStatus
from casehub.extensions import db
from casehub.notify.models import OutboxMessage
from casehub.notify.rendering import LANGUAGES, render_message
from casehub.reports.jobs import send_monthly_analyses
from casehub.reports.monthly import first_working_day, monthly_analysis
from casehub.reports.rollup import rebuild_rollups
from casehub.sla.calendar import BusinessCalendar
from tests.sla import taipei
from workers.scheduler import PERIODIC_JOBS, PeriodicJob

SEPTEMBER = date(2026, 9, 1)
MONTH_END = taipei(2026, 10, 1)


def late_in_september(agency) -> set[str]:
    """Cases of the agency resolved late in September, or unresolved and past their deadline when it ended."""
    numbers = set()
    for case in db.session.scalars(sa.select(Case).where(Case.agency_id == agency.id)):
        resolved = case.resolved_at
        if resolved is not None and taipei(2026, 9, 1) <= resolved < MONTH_END and resolved > case.due_at:
            numbers.add(case.number)
        elif case.received_at < MONTH_END and case.due_at < MONTH_END and (resolved is None or resolved >= MONTH_END) \
                and case.status not in (CaseStatus.CANCELLED, CaseStatus.MERGED):
            numbers.add(case.number)
    return numbers


def test_the_analysis_lists_the_month_late_and_reopened_cases_against_the_city(report_world):
    world = report_world
    rebuild_rollups(world.first, world.last, now=world.now)
    agency = world.agencies[0]
    analysis = monthly_analysis(agency, SEPTEMBER, now=world.now)
    assert (analysis.first, analysis.last) == (date(2026, 9, 1), date(2026, 9, 30))
    assert {case["number"] for case in analysis.overdue_cases} == late_in_september(agency)
    assert analysis.overdue_total == len(analysis.overdue_cases) > 0
    assert all(case["delay_hours"] > 0 for case in analysis.overdue_cases)
    reopened = db.session.scalars(sa.select(CaseEvent).join(Case).where(
        Case.agency_id == agency.id, CaseEvent.type == "reopened", CaseEvent.at < MONTH_END)).all()
    assert [item["number"] for item in analysis.reopened_cases] == [event.case.number for event in reopened]
    september_cases = [case for case in world.cases if case.received_at < MONTH_END]
    assert analysis.city["received"] == len(september_cases)
    assert analysis.this.totals.received == sum(case.agency_id == agency.id for case in september_cases)
    assert analysis.previous.totals.received == 0  # August: nothing yet


def test_monthly_page_and_export(report_world, client, login):
    world = report_world
    rebuild_rollups(world.first, world.last, now=world.now)
    db.session.commit()
    agency = world.agencies[0]
    login(world.manager)
    page = client.get(f"/reports/monthly/{agency.code}/2026-09")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(number in html for number in late_in_september(agency))
    assert client.get(f"/reports/monthly?agency={agency.code}&month=2026-09").headers["Location"] \
        .endswith(f"/reports/monthly/{agency.code}/2026-09")
    assert client.get(f"/reports/monthly/{agency.code}/2026-13").status_code == 422
    assert client.get(f"/reports/monthly/{agency.code}/2099-01").status_code == 422
    assert client.get("/reports/monthly/NOPE/2026-09").status_code == 422
    client.post("/logout")
    login(world.supervisors[world.agencies[1].id])
    assert client.get(f"/reports/monthly/{agency.code}/2026-09").status_code == 403


def test_the_job_mails_each_supervisor_once_from_the_first_working_day(report_world):
    world = report_world
    rebuild_rollups(world.first, date(2026, 9, 29), now=taipei(2026, 9, 30))
    assert send_monthly_analyses(taipei(2026, 9, 30, 23)) == {"messages": 0}  # August had nothing to report
    first = send_monthly_analyses(taipei(2026, 10, 1, 8, 30))
    assert first == {"messages": 2}
    assert send_monthly_analyses(taipei(2026, 10, 1, 9, 30)) == {"messages": 0}
    messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "monthly_analysis")
                                  .order_by(OutboxMessage.id)).all()
    assert sorted(message.recipient for message in messages) == ["lead0@example.test", "lead1@example.test"]
    for message in messages:
        assert message.dedup_key.startswith("monthly_analysis:2026-09:")
        assert message.payload["url"].endswith(f"/reports/monthly/{message.payload['url'].split('/')[-2]}/2026-09")
        for language in LANGUAGES:
            rendered = render_message(message.template, language, message.payload)
            assert "2026-09" in rendered.subject and message.payload["url"] in rendered.body


def test_the_first_working_day_skips_holidays(app):
    calendar = BusinessCalendar.load()
    assert first_working_day(date(2027, 1, 1), calendar) == date(2027, 1, 4)  # New Year's Day, then a weekend
    assert first_working_day(date(2026, 10, 1), calendar) == date(2026, 10, 1)


def test_the_scheduler_refreshes_statistics_and_sends_the_monthly_analysis():
    jobs = {PeriodicJob(*entry).job_id: PeriodicJob(*entry) for entry in PERIODIC_JOBS}
    assert (jobs["statistics_refresh"].seconds, jobs["statistics_refresh"].queue) == (300, "low")
    assert jobs["monthly_agency_analysis"].queue == "low"


def test_the_refresh_job_runs_on_a_worker(report_world, run_jobs, app):
    from casehub.jobs import get_queue
    from casehub.reports.jobs import refresh_statistics
    from casehub.reports.models import DailyCallStat

    get_queue("low").enqueue(refresh_statistics, report_world.now)
    run_jobs()
    db.session.remove()
    days = dict(db.session.execute(sa.select(DailyCallStat.day, DailyCallStat.final)).all())
    assert {date(2026, 10, 1), date(2026, 10, 2)} <= set(days)  # and the days of letters keyed in today
    assert [day for day, final in days.items() if not final] == [date(2026, 10, 2)]
