"""The roll-up's figures computed the slow, obvious way, straight from cases, events and ratings.

Nothing here is shared with casehub.reports.rollup: every day and every case is walked, and
every question ("was it open then?", "which deadline was in force?") is answered by scanning
the case's whole event list.
"""
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from casehub.cases.models import Case, CaseEvent, SatisfactionResponse
from casehub.extensions import db
from casehub.sla.calendar import BusinessCalendar
from tests.sla import TAIPEI

COUNTS = ("received", "resolved", "resolved_on_time", "overdue_open", "first_responses", "first_response_on_time",
          "reopened", "cancelled", "satisfaction_responses", "satisfied")


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, TAIPEI)


def _deadline_in_force(case: Case, events: list, moment: datetime) -> datetime | None:
    changes = [event for event in events if event.type == "deadline_changed"]
    if not changes:
        return case.due_at
    before = [event for event in changes if event.at < moment]
    if not before:
        return None
    new = before[-1].details.get("new")
    return datetime.fromisoformat(new) if new else None


def _status_before(events: list, moment: datetime):
    statuses = [event.to_status for event in events if event.to_status is not None and event.at < moment]
    return statuses[-1] if statuses else None


def direct_cells(first: date, last: date, now: datetime) -> dict:
    """{(day, agency_id, category_id, channel, district_id, kind): {count: n, ..., "minutes": [...],
    "working_days": [...]}} for every cell with something in it."""
    calendar = BusinessCalendar.load()
    cases = db.session.scalars(sa.select(Case)).all()
    events = defaultdict(list)
    for event in db.session.scalars(sa.select(CaseEvent).order_by(CaseEvent.at, CaseEvent.id)):
        events[event.case_id].append(event)
    cells = defaultdict(lambda: {**dict.fromkeys(COUNTS, 0), "minutes": [], "working_days": []})
    day = first
    while day <= last:
        start, end = _start(day), _start(day + timedelta(days=1))
        for case in cases:
            key = (day, case.agency_id, case.category_id, case.channel.value, case.district_id, case.kind.value)
            history = events[case.id]
            if start <= case.received_at < end:
                cells[key]["received"] += 1
            responses = [event for event in history if event.type in ("accepted", "resolved")]
            if responses and start <= responses[0].at < end:
                cells[key]["first_responses"] += 1
                due = case.first_response_due_at
                cells[key]["first_response_on_time"] += due is None or responses[0].at <= due
            for event in history:
                if not start <= event.at < end:
                    continue
                if event.type == "resolved":
                    deadline = _deadline_in_force(case, history, event.at)
                    cells[key]["resolved"] += 1
                    cells[key]["resolved_on_time"] += deadline is None or event.at <= deadline
                    cells[key]["minutes"].append(int((event.at - case.received_at).total_seconds() // 60))
                    cells[key]["working_days"].append(
                        calendar.working_days_between(case.received_at.astimezone(TAIPEI).date(), day))
                elif event.type in ("reopened", "cancelled"):
                    cells[key][event.type] += 1
            moment = min(end, now)
            status = _status_before(history, moment)
            deadline = _deadline_in_force(case, history, moment)
            if status is not None and status.is_open and deadline is not None and deadline < moment:
                cells[key]["overdue_open"] += 1
        day += timedelta(days=1)
    ratings = sa.select(SatisfactionResponse).where(SatisfactionResponse.case_id.is_not(None))
    for response in db.session.scalars(ratings):
        day = response.created_at.astimezone(TAIPEI).date()
        if first <= day <= last:
            case = db.session.get(Case, response.case_id)
            key = (day, case.agency_id, case.category_id, case.channel.value, case.district_id, case.kind.value)
            cells[key]["satisfaction_responses"] += 1
            cells[key]["satisfied"] += response.score >= 4
    return {key: cell for key, cell in cells.items() if any(cell[name] for name in COUNTS)}


def direct_totals(cells: dict, *, last: date, keep=lambda key: True) -> dict:
    """Sums over the cells `keep` selects; overdue as at `last`; all handling times, sorted."""
    totals = {**dict.fromkeys(COUNTS, 0), "minutes": [], "working_days": []}
    for key, cell in cells.items():
        if not keep(key):
            continue
        for name in COUNTS:
            if name != "overdue_open":
                totals[name] += cell[name]
        if key[0] == last:
            totals["overdue_open"] += cell["overdue_open"]
        totals["minutes"] += cell["minutes"]
        totals["working_days"] += cell["working_days"]
    totals["minutes"].sort()
    totals["working_days"].sort()
    return totals
