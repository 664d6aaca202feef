"""Historical import: valid files become cases and calls that count in the reports; bad ones name every problem."""
import os
import sys
from datetime import date

import pytest
import sqlalchemy as sa

from casehub.cases.models import Case, CaseEvent, CaseStatus, SatisfactionResponse
from casehub.cases.services import next_case_number
from casehub.directory.models import Agency, CaseKind, District
from casehub.extensions import db
from casehub.intake.models import Call
from casehub.notify.models import OutboxMessage
from casehub.reports import importer
from casehub.reports.bulk import references_checked_by_caller
from casehub.reports.importer import CALL_COLUMNS, CASE_COLUMNS
from casehub.reports.models import DailyCaseStat
from casehub.reports.queries import ReportFilters, sla_report

HEADER = ",".join(CASE_COLUMNS)


@pytest.fixture
def legacy(make_agency, make_category, make_district):
    """An agency, a hazard category and a district as the legacy file names them."""
    agency = make_agency(code="PWB-MAINT", name_zh="養護工程處")
    category = make_category(code="pothole", name_zh="市區道路坑洞處理", default_agency=agency, kind=CaseKind.DISPATCH)
    district = make_district(code="sanmin", name_zh="三民區")
    db.session.commit()
    return agency, category, district


def write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["casehub", "import", *args])


GOOD_CASES = [
    HEADER,
    "L-0001,dispatch,phone,pothole,sanmin,高雄市三民區九如一路100號,2026-03-02 09:00,PWB-MAINT,2026-03-02 09:20,"
    "2026-03-02 11:00,2026-03-05 10:00,2026-03-02 13:00,closed,yes",
    "L-0002,dispatch,phone,市區道路坑洞處理,三民區,,2026-03-02 10:00,養護工程處,,2026-03-02 16:30,,"
    "2026-03-02 14:00,resolved,no",
    "20260303-000007,dispatch,app,pothole,,,2026-03-03T08:00:00+08:00,PWB-MAINT,2026-03-03 08:10,,,"
    "2026-03-03 12:00,accepted,",
    "L-0004,dispatch,counter,pothole,sanmin,,2026-03-03 09:00,PWB-MAINT,,,2026-03-03 09:30,2026-03-03 13:00,cancelled,",
]


def test_a_valid_file_imports_cases_with_their_events_and_they_count_in_the_reports(app, tmp_path, legacy):
    agency, category, district = legacy
    result = run(app, "cases", write(tmp_path, "legacy.csv", GOOD_CASES))
    assert result.exit_code == 0, result.output
    assert "Imported 4 cases" in result.output and "rows a second" in result.output
    assert "Roll-up of 2026-03-02 to" in result.output

    closed = db.session.scalar(sa.select(Case).where(Case.number == "L-0001"))
    assert (closed.status, closed.agency_id, closed.category_id, closed.district_id) == \
        (CaseStatus.CLOSED, agency.id, category.id, district.id)
    assert [event.type for event in closed.events] == ["received", "assigned", "accepted", "resolved", "closed"]
    assert closed.events[0].details == {"imported": "legacy.csv"}
    assert closed.reporter_name is None and closed.tracking_code_hash is None and closed.next_action_at is None
    by_name = db.session.scalar(sa.select(Case).where(Case.number == "L-0002"))
    assert (by_name.agency_id, by_name.category_id, by_name.district_id) == (agency.id, category.id, district.id)
    assert [r.score for r in db.session.scalars(sa.select(SatisfactionResponse).order_by(SatisfactionResponse.id))] \
        == [5, 1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # history is not notified

    report = sla_report(ReportFilters(date(2026, 3, 2), date(2026, 3, 5)), "agency")  # L-0001 rated when closed
    totals = report.totals
    assert (totals.received, totals.resolved, totals.resolved_on_time, totals.cancelled) == (4, 2, 1, 1)
    assert totals.median_hours == round((120 + 390) / 2 / 60, 2)
    assert (totals.satisfaction_responses, totals.satisfied) == (2, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyCaseStat)) > 0
    # An imported number in CaseHub's own format is never handed out again.
    assert next_case_number(date(2026, 3, 3)) == "20260303-000008"


def test_a_wrong_header_is_named_and_nothing_is_imported(app, tmp_path, legacy):
    lines = [HEADER.replace("due_at", "deadline") + ",remarks", *GOOD_CASES[1:]]
    result = run(app, "cases", write(tmp_path, "wrong.csv", lines))
    assert result.exit_code == 1
    assert "Wrong header (line 1): missing due_at; unexpected deadline, remarks." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    empty = run(app, "calls", write(tmp_path, "empty.csv", [""]))
    assert empty.exit_code == 1 and "The file is empty" in empty.output


BAD_CASES = [
    *GOOD_CASES,
    "L-0005,dispatch,phone,pothole,sanmin,,yesterday,PWB-MAINT,,,,2026-03-03 13:00,assigned,",
    "L-0006,dispatch,pigeon,streetlamp,mars,,2026-03-03 09:00,NOPE,,,,2026-03-03 13:00,assigned,",
    "L-0001,petition,phone,pothole,sanmin,,2026-03-03 09:00,PWB-MAINT,,2026-03-03 08:00,,2026-03-03 13:00,"
    "resolved,maybe",
    "L-0008,dispatch,phone,pothole",
    "L-0009,dispatch,phone,pothole,sanmin,,2026-03-03 09:00,PWB-MAINT,,,,2026-03-03 08:00,closed,",
]


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(app, tmp_path, legacy):
    result = run(app, "cases", write(tmp_path, "bad.csv", BAD_CASES))
    assert result.exit_code == 1
    output = result.output
    assert "line 6: received_at 'yesterday' is not a date and time" in output
    assert "line 7: channel 'pigeon' is not one of phone" in output
    assert "unknown category 'streetlamp'" in output and "unknown district 'mars'" in output
    assert "unknown agency 'NOPE'" in output
    assert "line 8: number L-0001 is repeated (first on line 2)" in output
    assert "kind petition does not match category pothole (dispatch)" in output
    assert "resolved_at is before received_at" in output and "satisfied 'maybe' must be yes or no" in output
    assert "line 9: 4 values where the header has 14 columns" in output
    assert "line 10: due_at is before received_at; status closed needs closed_at; status closed needs resolved_at" \
        in output
    assert "5 bad rows: nothing imported (use --skip-invalid" in output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == 0


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(app, tmp_path, legacy):
    result = run(app, "cases", write(tmp_path, "bad.csv", BAD_CASES), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Imported 4 cases" in result.output and "5 bad rows skipped" in result.output
    assert "line 6:" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 4
    again = run(app, "cases", write(tmp_path, "again.csv", GOOD_CASES[:2]))
    assert again.exit_code == 1 and "line 2: number L-0001 already exists" in again.output


def test_calls_import_without_callers_numbers_and_with_survey_answers(app, tmp_path):
    lines = [",".join(CALL_COLUMNS),
             "2026-03-02 08:00:05,2026-03-02 08:03:05,consultation,yes,yes",
             "2026-03-02 08:01:00,2026-03-02 08:06:00,case,,no",
             "2026-03-02 08:02:00,,other,yes,",
             "2026-03-02 08:10:00,2026-03-02 08:05:00,chat,perhaps,"]
    rejected = run(app, "calls", write(tmp_path, "calls.csv", lines))
    assert rejected.exit_code == 1
    assert ("line 5: ended_at is before started_at; outcome 'chat' is not one of consultation, case, other; "
            "answered_immediately 'perhaps' must be yes or no (or empty)") in rejected.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0
    result = run(app, "calls", write(tmp_path, "calls.csv", lines), "--skip-invalid")
    assert result.exit_code == 0 and "Imported 3 calls" in result.output
    calls = db.session.scalars(sa.select(Call).order_by(Call.started_at)).all()
    assert [(call.outcome.value, call.answered_immediately, call.caller_phone) for call in calls] == \
        [("consultation", True, None), ("case", None, None), ("other", None, None)]
    assert [(r.call_id, r.score) for r in db.session.scalars(sa.select(SatisfactionResponse))] == \
        [(calls[0].id, 5), (calls[1].id, 1)]


def test_batches_are_written_while_the_next_are_parsed_and_every_problem_keeps_its_line(
        app, tmp_path, legacy, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)  # five batches: the writer thread takes each in turn
    assert run(app, "cases", write(tmp_path, "first.csv", GOOD_CASES[:2])).exit_code == 0  # L-0001 exists now
    lines = [HEADER, *GOOD_CASES[2:], GOOD_CASES[1].replace("L-0001", "L-0010"),
             "L-0011,dispatch,pigeon,pothole,sanmin,,2026-03-03 09:00,PWB-MAINT,,,,2026-03-03 13:00,assigned,",
             *(GOOD_CASES[4].replace("L-0004", f"L-002{n}") for n in range(4)), GOOD_CASES[1]]
    result = run(app, "cases", write(tmp_path, "second.csv", lines), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Imported 8 cases" in result.output and "2 bad rows skipped" in result.output
    assert result.output.index("line 6: channel 'pigeon'") < result.output.index("line 11: number L-0001 already")
    numbers = db.session.scalars(sa.select(Case.number).order_by(Case.id)).all()
    assert numbers == ["L-0001", "L-0002", "20260303-000007", "L-0004", "L-0010", "L-0020", "L-0021", "L-0022",
                       "L-0023"]
    events = db.session.execute(sa.select(Case.number, sa.func.count(CaseEvent.id)).join(CaseEvent)
                                .group_by(Case.number)).all()
    assert dict(events)["L-0010"] == 5 and dict(events)["L-0023"] == 3  # each batch's events with its own cases
    assert sys.getswitchinterval() == pytest.approx(0.005)  # the import's quick thread switches are undone


def _replication_role() -> str:
    return db.session.scalar(sa.text("SHOW session_replication_role"))


def test_an_import_skips_the_foreign_key_checks_it_has_done_itself_and_locks_what_it_refers_to(app, legacy):
    agency, _category, district = legacy
    with references_checked_by_caller(District.__table__, Agency.__table__) as skipped:
        assert skipped and _replication_role() == "replica"
        # Another session cannot delete a row the imported cases refer to until this transaction ends.
        with db.engine.connect() as other:
            other.execute(sa.text("SET lock_timeout = '200ms'"))
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                other.execute(sa.delete(District).where(District.id == district.id))
            other.rollback()
    assert _replication_role() == "origin"
    db.session.rollback()


@pytest.fixture
def unprivileged_role(app):
    """A database role without the right to set session_replication_role, dropped afterwards."""
    name = f"casehub_test_plain_{os.getpid()}"
    with db.engine.connect() as connection:
        connection.execute(sa.text(f"CREATE ROLE {name} NOLOGIN"))
        connection.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {name}"))
        connection.execute(sa.text(f"GRANT SELECT, UPDATE ON districts, agencies TO {name}"))
        connection.commit()
    yield name
    with db.engine.connect() as connection:
        connection.execute(sa.text(f"DROP OWNED BY {name}"))
        connection.execute(sa.text(f"DROP ROLE {name}"))
        connection.commit()


def test_without_the_privilege_the_checks_run_as_usual(app, legacy, unprivileged_role):
    db.session.execute(sa.text(f"SET ROLE {unprivileged_role}"))
    with references_checked_by_caller(District.__table__, Agency.__table__) as skipped:
        assert not skipped and _replication_role() == "origin"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(District)) == 1  # the transaction lives on
    db.session.rollback()
