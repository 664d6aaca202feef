"""Historical import from a legacy system: cases and calls from CSV files, validated row by row, in bulk.

A file is read once. Every row is checked; a bad row is reported with its line number and
every reason. Valid rows are written in batches (PostgreSQL's COPY; plain multi-row inserts
on SQLite) inside the caller's transaction, so when the file has errors and `skip_invalid` is
not given the caller rolls everything back and nothing is imported.

Imported cases get the events of their legacy lifecycle (received, assigned, accepted,
resolved, closed or cancelled, marked `{"imported": FILE}`), so they count in the roll-ups like
any other case. They are written below the ORM: no notifications go out for history, and they
carry no reminders (their `next_action_at` is empty). Personal data is not imported: the legacy
file has no reporter columns, and calls are imported without the caller's number.
"""
import csv
import re
import time as clock
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casehub.cases.models import Case, CaseEvent, CaseNumberCounter, CaseStatus, Channel, SatisfactionResponse
from casehub.directory.models import Agency, CaseKind, Category, District
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.intake.models import Call, CallOutcome
from casehub.models import city_zone
from casehub.reports.bulk import (
    allocate_ids, beside_this_thread, bulk_insert, in_values, references_checked_by_caller, without_cycle_collector,
)
from casehub.sla.models import SlaPolicy

CASE_COLUMNS = ("number", "kind", "channel", "category", "district", "address", "received_at", "agency",
                "accepted_at", "resolved_at", "closed_at", "due_at", "status", "satisfied")
CALL_COLUMNS = ("started_at", "ended_at", "outcome", "answered_immediately", "satisfied")
BATCH = 5000
YES = frozenset({"yes", "y", "true", "1", "是"})
NO = frozenset({"no", "n", "false", "0", "否"})
# A "satisfied" answer from a legacy survey becomes a rating that reads back the same (4 or more is satisfied).
SATISFIED_SCORES = {True: 5, False: 1}
NUMBER = re.compile(r"[0-9A-Za-z-]{1,20}")
CASEHUB_NUMBER = re.compile(r"(\d{8})-(\d{6})")
MAX_PROBLEMS_KEPT = 1000
# The stored statuses of imported events, as plain strings (read once per row: enum look-ups add up).
RECEIVED, ASSIGNED, ACCEPTED, RESOLVED, CLOSED, CANCELLED = (
    status.value for status in (CaseStatus.RECEIVED, CaseStatus.ASSIGNED, CaseStatus.ACCEPTED, CaseStatus.RESOLVED,
                                CaseStatus.CLOSED, CaseStatus.CANCELLED))
# Which times each imported status needs (+) and must not have (-).
STATUS_TIMES = {
    CaseStatus.ASSIGNED: ({}, {"accepted_at", "resolved_at", "closed_at"}),
    CaseStatus.ACCEPTED: ({"accepted_at"}, {"resolved_at", "closed_at"}),
    CaseStatus.RESOLVED: ({"resolved_at"}, {"closed_at"}),
    CaseStatus.CLOSED: ({"resolved_at", "closed_at"}, set()),
    CaseStatus.CANCELLED: ({"closed_at"}, {"resolved_at"}),
}


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    bad_rows: int = 0
    seconds: float = 0.0
    first_day: date | None = None
    last_day: date | None = None

    @property
    def rows_per_second(self) -> float:
        return (self.imported + self.bad_rows) / self.seconds if self.seconds else 0.0

    def note(self, line: int, reasons: list[str]) -> None:
        self.bad_rows += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(RowProblem(line, "; ".join(reasons)))

    def absorb(self, other: "ImportResult") -> None:
        """Add the figures `other` gathered (the batch writer's) to these."""
        self.imported += other.imported
        self.bad_rows += other.bad_rows
        self.problems = sorted(self.problems + other.problems, key=lambda problem: problem.line)[:MAX_PROBLEMS_KEPT]
        if other.first_day:
            self.cover(other.first_day, other.last_day)

    def cover(self, first: date, last: date) -> None:
        """Widen the range of city days the imported rows touch."""
        self.first_day = min(first, self.first_day or first)
        self.last_day = max(last, self.last_day or last)


class ImportRejected(DomainError):
    """The file has a wrong header, or bad rows and `skip_invalid` was not given: nothing is imported."""

    def __init__(self, message: str, result: ImportResult | None = None):
        super().__init__("import_rejected", message, status=422)
        self.result = result


class RowError(Exception):
    pass


def _rows(lines: Iterable[str], columns: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    """(line number, row) for each data row; the header must name exactly `columns`, in any order."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header or not any(name.strip() for name in header):
        raise ImportRejected("The file is empty: the first line must name the columns " + ", ".join(columns) + ".")
    names = [name.strip().lower() for name in header]
    missing = [name for name in columns if name not in names]
    unexpected = [name for name in names if name not in columns]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if missing or unexpected or duplicated:
        problems = [f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(unexpected)}" if unexpected else "",
                    f"repeated {', '.join(duplicated)}" if duplicated else ""]
        raise ImportRejected("Wrong header (line 1): " + "; ".join(p for p in problems if p)
                             + ". Expected the columns " + ", ".join(columns) + ".")
    line = reader.line_num
    for values in reader:
        start, line = line + 1, reader.line_num
        if not any(value.strip() for value in values):
            continue  # a blank line
        if len(values) != len(names):
            yield start, {"__width__": len(values)}
            continue
        yield start, {name: value.strip() for name, value in zip(names, values)}


@lru_cache(maxsize=None)
def _members(enum_class, allowed: tuple) -> dict:
    """value -> member of `enum_class` (only those `allowed`, when given), in their order."""
    return {member.value: member for member in allowed or enum_class}


class Parser:
    """Checks one row's fields, collecting every reason it is bad instead of stopping at the first."""

    def __init__(self, zone: ZoneInfo, now: datetime):
        self.zone, self.now = zone, now
        self.line = 0
        self.reasons: list[str] = []

    def start(self, line: int, row: dict, columns: tuple[str, ...]) -> dict:
        self.line, self.reasons = line, []
        if "__width__" in row:
            self.reasons.append(f"{row['__width__']} values where the header has {len(columns)} columns")
            return {}
        return row

    def fail(self, message: str) -> None:
        self.reasons.append(message)

    def time(self, row: dict, name: str, *, required: bool = False) -> datetime | None:
        text = row.get(name, "")
        if not text:
            if required:
                self.fail(f"{name} is required")
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{name} '{text}' is not a date and time (YYYY-MM-DD HH:MM in Asia/Taipei, "
                      "or ISO 8601 with an offset)")
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        value = value.astimezone(timezone.utc)
        if value > self.now:
            self.fail(f"{name} {text} is in the future")
        return value

    def choice(self, row: dict, name: str, enum_class, *, allowed: tuple = ()):
        text = row.get(name, "").lower()
        members = _members(enum_class, allowed)
        if text in members:
            return members[text]
        self.fail(f"{name} '{row.get(name, '')}' is not one of " + ", ".join(members))
        return None

    def yes_no(self, row: dict, name: str) -> bool | None:
        text = row.get(name, "").lower()
        if not text:
            return None
        if text in YES or text in NO:
            return text in YES
        self.fail(f"{name} '{row[name]}' must be yes or no (or empty)")
        return None

    def reference(self, row: dict, name: str, table: dict, *, required: bool = True):
        text = row.get(name, "")
        if not text:
            if required:
                self.fail(f"{name} is required")
            return None
        found = table.get(text) or table.get(text.lower())
        if found is None:
            self.fail(f"unknown {name} '{text}' (give its code or its Chinese name)")
        return found

    def in_order(self, times: list[tuple[str, datetime | None]]) -> None:
        known = [(name, value) for name, value in times if value is not None]
        for (earlier, first), (later, second) in zip(known, known[1:]):
            if second < first:
                self.fail(f"{later} is before {earlier}")


def _lookup(model, *columns) -> dict:
    """Code (and Chinese name) -> row of `columns`, for resolving a legacy file's references."""
    table = {}
    for row in db.session.execute(sa.select(model.code, model.name_zh, *columns)):
        table[row.code] = table[row.code.lower()] = table[row.name_zh] = row
    return table


def _import(lines: Iterable[str], columns: tuple[str, ...], parse_row: Callable, write_batch: Callable,
            *, skip_invalid: bool, now: datetime) -> ImportResult:
    """Parse every row, writing valid ones in batches; raise ImportRejected at the end when rows were bad.

    A batch is written (beside_this_thread, on this transaction's session, which the parser never
    touches) while the next one is parsed and prepared; the writer keeps its own tally until the end.
    """
    started = clock.perf_counter()
    result, written = ImportResult(), ImportResult()
    parser = Parser(city_zone(), now)
    batch: list[tuple[int, object]] = []  # (line, what parse_row made of it)
    writing: Future | None = None

    def write(rows: list[tuple[int, object]]) -> None:
        written.imported += write_batch(rows, written)

    def wait_for_writer() -> None:
        nonlocal writing
        if writing is not None:
            writing.result()  # raises what the writer raised
            writing = None

    with beside_this_thread() as in_background, without_cycle_collector():

        def flush() -> None:
            nonlocal batch, writing
            wait_for_writer()  # one batch at a time on the session
            if batch and (skip_invalid or not result.bad_rows):
                writing = in_background(write, batch)
            batch = []

        for line, row in _rows(lines, columns):
            values = parse_row(parser, parser.start(line, row, columns))
            if parser.reasons:
                result.note(line, parser.reasons)
            else:
                batch.append((line, values))
            if len(batch) >= BATCH:
                flush()
        flush()
        wait_for_writer()
    result.absorb(written)
    result.seconds = clock.perf_counter() - started
    if result.bad_rows and not skip_invalid:
        raise ImportRejected(f"{result.bad_rows} bad rows: nothing imported (use --skip-invalid to import the "
                             "valid rows and skip the bad ones).", result)
    return result


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _last_change(values: dict) -> datetime:
    return values["closed_at"] or values["resolved_at"] or values["accepted_at"] or values["received_at"]


# The columns an imported case, event and rating are written with (the rest keep their defaults).
CASE_ROW = ("id", "number", "kind", "channel", "status", "category_id", "description", "address", "district_id",
            "attributes", "reporter_anonymous", "contact_preference", "agency_id", "sla_policy_id", "received_at",
            "assigned_at", "accepted_at", "due_at", "sla_started_at", "resolved_at", "closed_at", "reopened_count",
            "escalation_level", "created_at", "updated_at", "version")
EVENT_ROW = ("case_id", "at", "type", "from_status", "to_status", "details")
RATING_ROW = ("case_id", "score", "created_at")
NO_ATTRIBUTES: dict = {}  # one object for every imported case: bulk_insert encodes it once


@dataclass(frozen=True, slots=True)
class PreparedCase:
    """A valid legacy case ready to be written: its rows without the case id, which the writer allocates."""
    number: str
    row: tuple  # CASE_ROW after "id"
    events: list[tuple]  # EVENT_ROW after "case_id"
    rating: tuple | None  # RATING_ROW after "case_id"
    first_day: date  # the city days it counts on in the roll-ups
    last_day: date


class CaseImport:
    """The reference tables and what the file has used so far, while importing cases."""

    def __init__(self, source: str, now: datetime):
        self.source, self.now = source, now
        self.zone = city_zone()
        self.categories = _lookup(Category, Category.id, Category.kind, Category.sla_policy_id)
        self.districts = _lookup(District, District.id)
        self.agencies = _lookup(Agency, Agency.id)
        self.numbers_seen: dict[str, int] = {}
        self.counters: dict[date, int] = {}
        self.details = {"imported": source}
        self.assigned_details: dict[str, dict] = {}

    def parse(self, parser: Parser, row: dict) -> PreparedCase | None:
        if not row:
            return None
        number = row["number"]
        if not NUMBER.fullmatch(number):
            parser.fail(f"number '{number}' must be 1 to 20 letters, digits or hyphens")
        elif number in self.numbers_seen:
            parser.fail(f"number {number} is repeated (first on line {self.numbers_seen[number]})")
        else:
            self.numbers_seen[number] = parser.line
        kind = parser.choice(row, "kind", CaseKind)
        channel = parser.choice(row, "channel", Channel)
        category = parser.reference(row, "category", self.categories)
        if category is not None and kind is not None and CaseKind(category.kind) is not kind:
            parser.fail(f"kind {kind.value} does not match category {category.code} ({category.kind})")
        district = parser.reference(row, "district", self.districts, required=False)
        agency = parser.reference(row, "agency", self.agencies)
        if len(row["address"]) > 300:
            parser.fail("address is longer than 300 characters")
        status = parser.choice(row, "status", CaseStatus, allowed=tuple(STATUS_TIMES))
        times = {name: parser.time(row, name, required=name in ("received_at", "due_at"))
                 for name in ("received_at", "accepted_at", "resolved_at", "closed_at", "due_at")}
        parser.in_order([(name, times[name]) for name in ("received_at", "accepted_at", "resolved_at", "closed_at")])
        if times["due_at"] and times["received_at"] and times["due_at"] < times["received_at"]:
            parser.fail("due_at is before received_at")
        if status is not None:
            needed, excluded = STATUS_TIMES[status]
            parser.reasons += [f"status {status.value} needs {name}" for name in sorted(needed) if not times[name]]
            parser.reasons += [f"status {status.value} cannot have {name}" for name in sorted(excluded) if times[name]]
        satisfied = parser.yes_no(row, "satisfied")
        if satisfied is not None and not times["resolved_at"]:
            parser.fail("satisfied is given but the case was never resolved")
        if parser.reasons:
            return None
        return self._prepare({"number": number, "kind": kind, "channel": channel, "category": category,
                              "district": district, "agency": agency, "address": row["address"] or None,
                              "status": status, "satisfied": satisfied, **times})

    def _prepare(self, values: dict) -> PreparedCase:
        """The rows of a valid case, built while the previous batch is written (everything but its id)."""
        category, agency, district = values["category"], values["agency"], values["district"]
        received_at, last_change = values["received_at"], _last_change(values)
        case = (values["number"], values["kind"].value, values["channel"].value, values["status"].value,
                category.id, "", values["address"], district.id if district else None, NO_ATTRIBUTES, False, "none",
                agency.id, category.sla_policy_id, received_at, received_at, values["accepted_at"], values["due_at"],
                received_at, values["resolved_at"], values["closed_at"], 0, 0, self.now, last_change, 1)
        rating = None
        if values["satisfied"] is not None:
            rating = (SATISFIED_SCORES[values["satisfied"]], values["closed_at"] or values["resolved_at"])
        # An open case counts (as overdue, perhaps) on every day up to today.
        last = self.now if values["status"].is_open else last_change
        return PreparedCase(values["number"], case, self._event_rows(values), rating,
                            _local_day(received_at, self.zone), _local_day(last, self.zone))

    def write(self, batch: list[tuple[int, PreparedCase]], result: ImportResult) -> int:
        taken = set(db.session.scalars(sa.select(Case.number).where(
            in_values(Case.number, [case.number for _line, case in batch], sa.String))))
        fresh = []
        for line, case in batch:
            if case.number in taken:
                result.note(line, [f"number {case.number} already exists"])
            else:
                fresh.append(case)
                self._count_number(case.number)
                result.cover(case.first_day, case.last_day)
        ids = allocate_ids(Case.__table__, len(fresh))
        bulk_insert(Case.__table__, [(case_id, *case.row) for case_id, case in zip(ids, fresh)], CASE_ROW)
        bulk_insert(CaseEvent.__table__, [(case_id, *event) for case_id, case in zip(ids, fresh)
                                          for event in case.events], EVENT_ROW)
        bulk_insert(SatisfactionResponse.__table__, [(case_id, *case.rating) for case_id, case in zip(ids, fresh)
                                                     if case.rating], RATING_ROW)
        return len(fresh)

    def _event_rows(self, values: dict) -> list[tuple]:
        """The legacy lifecycle as events (EVENT_ROW but the case id): the roll-ups read these like any case's."""
        agency = values["agency"].code
        if agency not in self.assigned_details:  # one dict per agency, shared by its events (encoded once)
            self.assigned_details[agency] = self.details | {"agency": agency}
        steps = [("received", values["received_at"], None, RECEIVED, self.details),
                 ("assigned", values["received_at"], RECEIVED, ASSIGNED, self.assigned_details[agency])]
        if values["accepted_at"]:
            steps.append(("accepted", values["accepted_at"], ASSIGNED, ACCEPTED, self.details))
        if values["resolved_at"]:
            steps.append(("resolved", values["resolved_at"], steps[-1][3], RESOLVED, self.details))
        if values["status"] is CaseStatus.CLOSED:
            steps.append(("closed", values["closed_at"], RESOLVED, CLOSED, self.details))
        if values["status"] is CaseStatus.CANCELLED:
            steps.append(("cancelled", values["closed_at"], steps[-1][3], CANCELLED, self.details))
        return [(at, type_, from_status, to_status, details) for type_, at, from_status, to_status, details in steps]

    def _count_number(self, number: str) -> None:
        match = CASEHUB_NUMBER.fullmatch(number)
        if match:
            day = datetime.strptime(match[1], "%Y%m%d").date()
            self.counters[day] = max(self.counters.get(day, 0), int(match[2]))

    def advance_counters(self) -> None:
        """Imported numbers in CaseHub's own format must never be handed out again (letters keyed in late)."""
        if not self.counters:
            return
        table = CaseNumberCounter.__table__
        existing = dict(db.session.execute(sa.select(table.c.day, table.c.last_value)
                                           .where(table.c.day.in_(list(self.counters)))).all())
        new = [{"day": day, "last_value": value} for day, value in self.counters.items() if day not in existing]
        raised = [{"counter_day": day, "value": value} for day, value in self.counters.items()
                  if day in existing and existing[day] < value]
        if new:
            db.session.execute(sa.insert(table), new)
        if raised:
            db.session.execute(sa.update(table).where(table.c.day == sa.bindparam("counter_day"))
                               .values(last_value=sa.bindparam("value")), raised)


def import_cases(lines: Iterable[str], *, source: str, skip_invalid: bool = False,
                 now: datetime) -> ImportResult:
    """Import a legacy system's cases (CASE_COLUMNS) with their lifecycle events; flushes, never commits."""
    job = CaseImport(source, now)
    # Every reference was resolved from these tables; the events and ratings point at the cases written here.
    with references_checked_by_caller(Category.__table__, District.__table__, Agency.__table__,
                                      SlaPolicy.__table__):
        result = _import(lines, CASE_COLUMNS, job.parse, job.write, skip_invalid=skip_invalid, now=now)
    job.advance_counters()
    db.session.flush()
    return result


def _parse_call(parser: Parser, row: dict) -> dict | None:
    if not row:
        return None
    started_at = parser.time(row, "started_at", required=True)
    ended_at = parser.time(row, "ended_at")
    parser.in_order([("started_at", started_at), ("ended_at", ended_at)])
    outcome = parser.choice(row, "outcome", CallOutcome)
    answered = parser.yes_no(row, "answered_immediately")
    satisfied = parser.yes_no(row, "satisfied")
    if parser.reasons:
        return None
    # Only a consultation is answered (at once or not) on the line; the legacy flag means nothing for the rest.
    return {"started_at": started_at, "ended_at": ended_at, "outcome": outcome,
            "answered_immediately": answered if outcome is CallOutcome.CONSULTATION else None,
            "satisfied": satisfied}


def import_calls(lines: Iterable[str], *, skip_invalid: bool = False, now: datetime) -> ImportResult:
    """Import a legacy call log (CALL_COLUMNS), without callers' numbers; flushes, never commits."""
    zone = city_zone()

    def write(batch: list[tuple[int, dict]], result: ImportResult) -> int:
        ids = allocate_ids(Call.__table__, len(batch))
        calls, ratings = [], []
        for call_id, (_line, values) in zip(ids, batch):
            calls.append({"id": call_id, "operator_id": None, "caller_phone": None,
                          "started_at": values["started_at"], "ended_at": values["ended_at"],
                          "outcome": values["outcome"].value, "answered_immediately": values["answered_immediately"],
                          "summary": None, "case_id": None, "created_at": now})
            last = values["ended_at"] or values["started_at"]
            if values["satisfied"] is not None:
                ratings.append({"case_id": None, "call_id": call_id, "score": SATISFIED_SCORES[values["satisfied"]],
                                "comment": None, "created_at": last})
            result.cover(_local_day(values["started_at"], zone), _local_day(last, zone))
        bulk_insert(Call.__table__, calls)
        bulk_insert(SatisfactionResponse.__table__, ratings)
        return len(batch)

    with references_checked_by_caller():  # the ratings point at the calls written here, nothing else
        result = _import(lines, CALL_COLUMNS, _parse_call, write, skip_invalid=skip_invalid, now=now)
    db.session.flush()
    return result
