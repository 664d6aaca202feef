"""Roll-ups: the daily statistics cells that reports read instead of raw cases.

A day's cells are computed from the cases and their append-only events, the ground truth:

- received: cases whose `received_at` falls on the day;
- resolved: "resolved" events on the day (a case resolved again after a reopening counts again),
  on time when no later than the deadline in force then (the last "deadline_changed" event
  before it; a case whose history has none, such as an imported one, uses its `due_at`;
  no deadline at all, e.g. while paused, counts as on time); each resolution's handling time
  since receipt in minutes and in working days (BusinessCalendar.working_days_between) is kept;
- first_responses: the case's first acceptance or resolution, on time when no later than
  `first_response_due_at`;
- reopened, cancelled: those events on the day;
- overdue_open: cases open at the end of the day (from their status events) whose deadline
  in force then had passed;
- satisfaction: ratings given on the day (4 or 5 is satisfied).

Cells are keyed by the case's agency, category, channel, district and kind as they are when the
day is computed. Today's cells are refreshed every few minutes; a finished day is final (its
cells are recomputed only by `flask casehub rollup` or when a letter received that day is keyed
in later). Everything runs in Python over plain queries so PostgreSQL and the embedded SQLite
give the same figures; services flush, never commit.
"""
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from casehub.cases.models import OPEN_CASES, OPEN_STATUSES, Case, CaseEvent, SatisfactionResponse
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.intake.models import Call, CallOutcome
from casehub.models import city_zone
from casehub.reports.bulk import as_text, bulk_insert, in_values, raw_time, without_cycle_collector
from casehub.reports.models import DailyCallStat, DailyCaseStat, DailyGroupStat
from casehub.sla.calendar import BusinessCalendar

# The transitions that end an open period: a case open during a range but ended now has one after its start.
ENDING_EVENTS = ("resolved", "cancelled", "merged")
FIRST_RESPONSE_EVENTS = ("accepted", "resolved")
# The status events the figures need: the case appearing, opening again, ending, and first responses.
# The others (assigned, transfer requested, closed, ...) move between two open or two ended statuses.
TIMELINE_EVENTS = ("received", "reopened", *ENDING_EVENTS, "accepted")
CASE_BATCH = 5000  # cases whose events are read at once (also under SQLite's limit on query parameters)
CELL_COUNTS = ("received", "resolved", "resolved_on_time", "overdue_open", "first_responses",
               "first_response_on_time", "reopened", "cancelled", "satisfaction_responses", "satisfied")
SATISFIED_SCORE = 4
# The cell columns daily_group_stats sums the cells by, one at a time.
DIMENSIONS = ("agency_id", "category_id", "channel", "district_id", "kind")


def dimension_value(value) -> str:
    """A cell's id, channel or kind as daily_group_stats keeps it: text, "" for none."""
    return "" if value is None else str(getattr(value, "value", value))


def city_today(now: datetime) -> date:
    return now.astimezone(city_zone()).date()


class CityDays:
    """Consecutive days in the city's time zone, and the UTC instant each one begins."""

    def __init__(self, first: date, last: date, zone: ZoneInfo):
        self.first, self.last = first, last
        self.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        self.starts = [datetime.combine(day, time.min, zone).astimezone(timezone.utc)
                       for day in [*self.days, last + timedelta(days=1)]]

    @property
    def start(self) -> datetime:
        return self.starts[0]

    @property
    def end(self) -> datetime:
        return self.starts[-1]

    def day_of(self, moment: datetime) -> date | None:
        """The day `moment` falls on, or None outside these days."""
        index = bisect_right(self.starts, moment) - 1
        return self.days[index] if 0 <= index < len(self.days) else None

    def ends(self, since: datetime | None = None) -> Iterator[tuple[date, datetime]]:
        """Each day with the instant it ends; with `since`, only the days ending after it."""
        first = 0 if since is None else max(0, bisect_right(self.starts, since) - 1)
        return zip(self.days[first:], self.starts[first + 1:])


class WorkingDayCounter:
    """BusinessCalendar.working_days_between for many pairs of dates: the calendar is asked once per day."""

    def __init__(self, calendar: BusinessCalendar):
        self.calendar = calendar
        self.first: date | None = None
        self.prefix: list[int] = []  # working days in [first, first + n days]

    def _cover(self, first: date, last: date) -> None:
        if self.first is not None and first >= self.first and (last - self.first).days < len(self.prefix):
            return
        if self.first is not None:
            first, last = min(first, self.first), max(last, self.first + timedelta(days=len(self.prefix) - 1))
        running, self.prefix = 0, []
        for n in range((last - first).days + 1):
            running += self.calendar.is_working_day(first + timedelta(days=n))
            self.prefix.append(running)
        self.first = first

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`, as the calendar counts them (0 if end <= start)."""
        if end <= start:
            return 0
        self._cover(start, end)
        return self.prefix[(end - self.first).days] - self.prefix[(start - self.first).days]


@dataclass
class Counts:
    """The counted figures of a cell (CELL_COUNTS); those of several cells add up."""

    received: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    overdue_open: int = 0
    first_responses: int = 0
    first_response_on_time: int = 0
    reopened: int = 0
    cancelled: int = 0
    satisfaction_responses: int = 0
    satisfied: int = 0

    def add(self, other: "Counts") -> None:
        for name in CELL_COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CellTotals(Counts):
    handling_minutes: list = field(default_factory=list)
    handling_working_days: list = field(default_factory=list)



# (day, agency_id, category_id, channel, district_id, kind)
CellKey = tuple
CASE_DIMENSIONS = (Case.agency_id, Case.category_id, as_text(Case.channel), Case.district_id, as_text(Case.kind))
OPEN_STATUS_VALUES = frozenset(status.value for status in OPEN_STATUSES)


class CaseHistory:
    """One case's timeline (open or not, from its status events) and its deadlines, to ask what held when."""

    __slots__ = ("due_at", "times", "types", "open", "deadline_times", "deadlines")

    def __init__(self, due_at: datetime | None):
        self.due_at = due_at
        self.times: list[datetime] = []
        self.types: list[str] = []
        self.open: list[bool] = []
        self.deadline_times: list[datetime] = []
        self.deadlines: list[datetime | None] = []

    def open_before(self, moment: datetime) -> bool:
        index = bisect_left(self.times, moment)
        return index > 0 and self.open[index - 1]

    def deadline_before(self, moment: datetime) -> datetime | None:
        """The deadline in force just before `moment`."""
        if not self.deadline_times:
            return self.due_at
        index = bisect_left(self.deadline_times, moment)
        return self.deadlines[index - 1] if index else None


def _parse_deadline(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _histories(case_ids: list[int], due_at: dict[int, datetime | None]) -> dict[int, CaseHistory]:
    histories = {case_id: CaseHistory(due_at[case_id]) for case_id in case_ids}
    order = (CaseEvent.case_id, CaseEvent.at, CaseEvent.id)
    status_rows = db.session.execute(
        sa.select(CaseEvent.case_id, raw_time(CaseEvent.at), CaseEvent.type, as_text(CaseEvent.to_status))
        .where(in_values(CaseEvent.case_id, case_ids), CaseEvent.type.in_(TIMELINE_EVENTS)).order_by(*order))
    for case_id, at, type_, to_status in status_rows:
        history = histories[case_id]
        history.times.append(at)
        history.types.append(type_)
        history.open.append(to_status in OPEN_STATUS_VALUES)
    deadline_rows = db.session.execute(
        sa.select(CaseEvent.case_id, raw_time(CaseEvent.at), CaseEvent.details["new"].as_string())
        .where(in_values(CaseEvent.case_id, case_ids), CaseEvent.type == "deadline_changed").order_by(*order))
    for case_id, at, new in deadline_rows:
        histories[case_id].deadline_times.append(at)
        histories[case_id].deadlines.append(_parse_deadline(new))
    return histories


def open_before(moment: datetime) -> set[int]:
    """Cases that may have been open at `moment`: received before it, and open now or ended (resolved,
    cancelled, merged) since. A superset: each case's history decides. Asked once per rebuild."""
    ended_since = (sa.select(CaseEvent.case_id).join(Case, Case.id == CaseEvent.case_id)
                   .where(CaseEvent.type.in_(ENDING_EVENTS), CaseEvent.at >= moment, Case.received_at < moment))
    return set(db.session.scalars(sa.union(
        sa.select(Case.id).where(OPEN_CASES, Case.received_at < moment), ended_since)))


def _relevant_case_ids(days: CityDays, open_at_start: set[int]) -> list[int]:
    """Cases that may count on these days: open when they begin, received on them, or changed on them.

    Any other case was received before, ended before they began and stayed so: nothing about it
    happens on these days.
    """
    active = sa.union(
        sa.select(Case.id).where(Case.received_at >= days.start, Case.received_at < days.end),
        sa.select(CaseEvent.case_id).where(CaseEvent.type.in_(TIMELINE_EVENTS), CaseEvent.at >= days.start,
                                           CaseEvent.at < days.end),
    )
    return sorted(open_at_start | set(db.session.scalars(active)))


def _roll_case(row, history: CaseHistory, days: CityDays, now: datetime, counter: WorkingDayCounter,
               cells: dict[CellKey, CellTotals]) -> None:
    """Add one case's part of these days' figures to `cells`."""
    _case_id, received_at, _due_at, first_response_due_at, *dimensions = row
    dimensions = tuple(dimensions)

    def cell(day: date) -> CellTotals:
        totals = cells.get((day, *dimensions))
        if totals is None:
            totals = cells[(day, *dimensions)] = CellTotals()
        return totals

    received_day = days.day_of(received_at)
    if received_day is not None:
        cell(received_day).received += 1
    if not history.times:
        return
    received_local = received_at.astimezone(counter.calendar.zone).date()
    first_response_seen = False
    for at, type_ in zip(history.times, history.types):
        if type_ in ENDING_EVENTS or type_ in FIRST_RESPONSE_EVENTS or type_ == "reopened":
            day = days.day_of(at)
        else:
            continue
        if type_ in FIRST_RESPONSE_EVENTS and not first_response_seen:
            first_response_seen = True
            if day is not None:
                totals = cell(day)
                totals.first_responses += 1
                totals.first_response_on_time += first_response_due_at is None or at <= first_response_due_at
        if day is None:
            continue
        if type_ == "resolved":
            totals = cell(day)
            deadline = history.deadline_before(at)
            totals.resolved += 1
            totals.resolved_on_time += deadline is None or at <= deadline
            totals.handling_minutes.append(int((at - received_at).total_seconds() // 60))
            totals.handling_working_days.append(counter.between(received_local, day))
        elif type_ == "reopened":
            cell(day).reopened += 1
        elif type_ == "cancelled":
            cell(day).cancelled += 1
    last_change = history.times[-1]
    for day, day_end in days.ends(since=history.times[0]):
        moment = min(day_end, now)
        if not history.open_before(moment):
            if moment > last_change:
                break  # ended for good
            continue
        deadline = history.deadline_before(moment)
        if deadline is not None and deadline < moment:
            cell(day).overdue_open += 1


def _add_case_ratings(days: CityDays, cells: dict[CellKey, CellTotals]) -> None:
    rows = db.session.execute(
        sa.select(SatisfactionResponse.created_at, SatisfactionResponse.score, *CASE_DIMENSIONS)
        .join(Case, Case.id == SatisfactionResponse.case_id)
        .where(SatisfactionResponse.created_at >= days.start, SatisfactionResponse.created_at < days.end))
    for created_at, score, *dimensions in rows:
        key = (days.day_of(created_at), *dimensions)
        totals = cells.setdefault(key, CellTotals())
        totals.satisfaction_responses += 1
        totals.satisfied += score >= SATISFIED_SCORE


def compute_case_cells(days: CityDays, *, now: datetime, calendar: BusinessCalendar,
                       open_at_start: set[int]) -> tuple[dict[CellKey, CellTotals], set[int]]:
    """Every case cell of these days, computed from cases and events as known at `now`, and the cases open
    when the last day ends (the next days' `open_at_start`). `open_at_start` may hold more cases than were open."""
    counter = WorkingDayCounter(calendar)
    cells: dict[CellKey, CellTotals] = {}
    open_at_end: set[int] = set()
    case_ids = _relevant_case_ids(days, open_at_start)
    for offset in range(0, len(case_ids), CASE_BATCH):
        batch = db.session.execute(
            sa.select(Case.id, raw_time(Case.received_at), raw_time(Case.due_at),
                      raw_time(Case.first_response_due_at), *CASE_DIMENSIONS)
            .where(in_values(Case.id, case_ids[offset:offset + CASE_BATCH]), Case.received_at < days.end)).all()
        histories = _histories([row[0] for row in batch], {row[0]: row[2] for row in batch})
        for row in batch:
            history = histories[row[0]]
            _roll_case(row, history, days, now, counter, cells)
            if history.open_before(days.end):
                open_at_end.add(row[0])
    _add_case_ratings(days, cells)
    return cells, open_at_end


def compute_call_days(days: CityDays, *, in_database: bool | None = None) -> dict[date, dict]:
    """The call centre's figures for each of these days (zeros for a day without calls).

    PostgreSQL counts the calls itself (a year is 850,000 of them); elsewhere, or with
    `in_database=False`, they are counted here. Both give the same figures (a test says so).
    """
    figures = {day: {"total": 0, "consultation": 0, "case": 0, "other": 0, "answered_immediately": 0,
                     "handling_seconds": 0, "satisfaction_responses": 0, "satisfied": 0} for day in days.days}
    if in_database is None:
        in_database = db.session.get_bind().dialect.name == "postgresql"
    (_count_calls_in_database if in_database else _count_calls)(days, figures)
    ratings = db.session.execute(
        sa.select(SatisfactionResponse.created_at, SatisfactionResponse.score)
        .where(SatisfactionResponse.call_id.is_not(None), SatisfactionResponse.created_at >= days.start,
               SatisfactionResponse.created_at < days.end))
    for created_at, score in ratings:
        day = figures[days.day_of(created_at)]
        day["satisfaction_responses"] += 1
        day["satisfied"] += score >= SATISFIED_SCORE
    return figures


def _answered_at_once(outcome: str, answered_immediately: bool | None) -> bool:
    return outcome == CallOutcome.CONSULTATION and bool(answered_immediately)


def _count_calls(days: CityDays, figures: dict[date, dict]) -> None:
    calls = db.session.execute(
        sa.select(raw_time(Call.started_at), raw_time(Call.ended_at), as_text(Call.outcome), Call.answered_immediately)
        .where(Call.started_at >= days.start, Call.started_at < days.end))
    for started_at, ended_at, outcome, answered_immediately in calls:
        day = figures[days.day_of(started_at)]
        day["total"] += 1
        day[outcome] += 1
        day["answered_immediately"] += _answered_at_once(outcome, answered_immediately)
        if ended_at is not None:
            day["handling_seconds"] += int((ended_at - started_at).total_seconds())


def _count_calls_in_database(days: CityDays, figures: dict[date, dict]) -> None:
    local_day = sa.cast(sa.func.timezone(current_app.config["TIMEZONE"], Call.started_at), sa.Date)
    answered = sa.case((sa.and_(Call.outcome == CallOutcome.CONSULTATION, Call.answered_immediately), 1), else_=0)
    seconds = sa.func.floor(sa.extract("epoch", Call.ended_at - Call.started_at))
    rows = db.session.execute(
        sa.select(local_day, as_text(Call.outcome), sa.func.count(), sa.func.sum(answered),
                  sa.func.coalesce(sa.func.sum(seconds), 0))
        .where(Call.started_at >= days.start, Call.started_at < days.end).group_by(local_day, Call.outcome))
    for day, outcome, count, answered_count, handling_seconds in rows:
        figures[day]["total"] += count
        figures[day][outcome] += count
        figures[day]["answered_immediately"] += int(answered_count)
        figures[day]["handling_seconds"] += int(handling_seconds)


@dataclass
class RollupResult:
    days: int = 0
    cells: int = 0

    def __iadd__(self, other: "RollupResult") -> "RollupResult":
        self.days += other.days
        self.cells += other.cells
        return self


def _prepare_transaction() -> None:
    """On PostgreSQL: two roll-ups writing the same days at once would collide, so they take turns; and
    times are read in UTC, whose Python datetimes compare several times faster with the roll-up's own."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('casehub:rollup'))"))
        db.session.execute(sa.text("SET LOCAL TIME ZONE 'UTC'"))


def _write(days: CityDays, cells: dict[CellKey, CellTotals], call_days: dict[date, dict], now: datetime) -> None:
    final = {day: day_end <= now for day, day_end in days.ends()}
    # The session holds none of these rows: nothing to synchronise, so no RETURNING of every deleted id.
    for model in (DailyCaseStat, DailyCallStat, DailyGroupStat):
        db.session.execute(sa.delete(model).where(model.day.between(days.first, days.last))
                           .execution_options(synchronize_session=False))
    case_rows = [
        {"day": day, "agency_id": agency_id, "category_id": category_id, "channel": channel,
         "district_id": district_id, "kind": kind, **{name: getattr(totals, name) for name in CELL_COUNTS},
         "handling_minutes": totals.handling_minutes, "handling_working_days": totals.handling_working_days,
         "computed_at": now, "final": final[day]}
        for (day, agency_id, category_id, channel, district_id, kind), totals in cells.items()
    ]
    bulk_insert(DailyCaseStat.__table__, case_rows)
    bulk_insert(DailyGroupStat.__table__, _group_rows(case_rows))
    bulk_insert(DailyCallStat.__table__, [
        {"day": day, **figures, "computed_at": now, "final": final[day]} for day, figures in call_days.items()])


def _group_rows(case_rows: list[dict]) -> list[dict]:
    """The cells summed per day and value of each dimension (daily_group_stats)."""
    groups: dict[tuple, tuple[list, list, list]] = {}
    for row in case_rows:
        counts = [row[name] for name in CELL_COUNTS]
        for dimension in DIMENSIONS:
            key = (row["day"], dimension, dimension_value(row[dimension]))
            group = groups.get(key)
            if group is None:
                groups[key] = (list(counts), list(row["handling_minutes"]), list(row["handling_working_days"]))
                continue
            group[0][:] = [total + count for total, count in zip(group[0], counts)]
            group[1].extend(row["handling_minutes"])
            group[2].extend(row["handling_working_days"])
    return [{"day": day, "dimension": dimension, "value": value, **dict(zip(CELL_COUNTS, counts)),
             "handling_minutes": minutes, "handling_working_days": working_days}
            for (day, dimension, value), (counts, minutes, working_days) in groups.items()]


def _month_chunks(first: date, last: date) -> Iterator[tuple[date, date]]:
    """[first, last] cut at month ends, so a long rebuild holds one month of cells in memory at a time."""
    while first <= last:
        next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        chunk_last = min(last, next_month - timedelta(days=1))
        yield first, chunk_last
        first = chunk_last + timedelta(days=1)


def rebuild_rollups(first: date, last: date, *, now: datetime) -> RollupResult:
    """Recompute and replace the cells of every day from `first` to `last` (city days, up to today)."""
    if last < first:
        raise DomainError("invalid_range", f"The range ends ({last}) before it starts ({first}).", status=422,
                          fields={"to": ["Must be on or after the start of the range."]})
    if last > city_today(now):
        raise DomainError("future_range", f"{last} has not begun yet; roll-ups go up to today.", status=422,
                          fields={"to": ["Must not be after today."]})
    _prepare_transaction()
    calendar = BusinessCalendar.load()
    result = RollupResult()
    with without_cycle_collector():
        open_cases = open_before(CityDays(first, first, calendar.zone).start)
        for chunk_first, chunk_last in _month_chunks(first, last):
            days = CityDays(chunk_first, chunk_last, calendar.zone)
            cells, open_cases = compute_case_cells(days, now=now, calendar=calendar, open_at_start=open_cases)
            _write(days, cells, compute_call_days(days), now)
            result += RollupResult(days=len(days.days), cells=len(cells))
    db.session.flush()
    return result


def _late_arrival_days(since: datetime, today_start: datetime) -> set[date]:
    """Earlier days that gained cases since `since`: letters and faxes keyed in after the day they arrived."""
    zone = city_zone()
    received = db.session.scalars(
        sa.select(Case.received_at).join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(CaseEvent.type == "received", CaseEvent.at >= since, Case.received_at < today_start))
    return {moment.astimezone(zone).date() for moment in received}


def _runs(days: set[date]) -> Iterator[tuple[date, date]]:
    """Sorted days grouped into runs of consecutive days."""
    ordered = sorted(days)
    start = previous = ordered[0]
    for day in ordered[1:]:
        if day != previous + timedelta(days=1):
            yield start, previous
            start = day
        previous = day
    yield start, previous


def refresh_rollups(now: datetime) -> RollupResult:
    """Recompute today, the days that ended since the last final one, and days that gained late letters."""
    today = city_today(now)
    today_start = CityDays(today, today, city_zone()).start
    previous = db.session.get(DailyCallStat, today)
    last_final = db.session.scalar(sa.select(sa.func.max(DailyCallStat.day)).where(DailyCallStat.final))
    first_open_day = last_final + timedelta(days=1) if last_final else today - timedelta(days=1)
    days = {today} | {first_open_day + timedelta(days=n) for n in range((today - first_open_day).days)}
    days |= _late_arrival_days(previous.computed_at if previous else today_start, today_start)
    result = RollupResult()
    for first, last in _runs(days):
        result += rebuild_rollups(first, last, now=now)
    return result
