"""The inboxes' open cases come from the partial indexes, also once psycopg has prepared the statement."""
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import OPEN_STATUS_SQL, CaseStatus
from casehub.extensions import db


def test_the_index_condition_names_exactly_the_open_statuses(app):
    definitions = dict(db.session.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases' AND indexname LIKE 'ix_cases_open_%'")).all())
    assert sorted(definitions) == ["ix_cases_open_agency_due", "ix_cases_open_due"]
    for definition in definitions.values():
        named = {status.value for status in CaseStatus if f"'{status.value}'" in definition}
        assert named == {status.value for status in CaseStatus if status.is_open}
    assert all(f"'{status.value}'" in OPEN_STATUS_SQL for status in CaseStatus if status.is_open)


def test_the_inbox_writes_the_statuses_into_its_statement_and_a_generic_plan_uses_the_index(
        app, client, login, make_user, make_case):
    case = make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    db.session.commit()
    login(staff)
    sent = []

    def keep(_connection, _cursor, statement, parameters, _context, _executemany):
        if "FROM cases" in statement and "LIMIT" in statement:
            sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        body = client.get("/api/v1/cases?open_only=true").get_json()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    assert [item["number"] for item in body["items"]] == [case.number]
    (statement, parameters), = sent
    assert "cases.status IN ('accepted', 'assigned', 'received', 'transfer_requested', 'waiting_for_citizen')" \
        in statement
    assert not any(isinstance(value, str) and value in {s.value for s in CaseStatus} for value in parameters.values())

    # A prepared statement's generic plan knows no parameter values: only constants can match the index.
    # (Sequential scans are switched off: the test tables are too small for an index to pay.)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute("EXPLAIN " + statement, parameters, prepare=True)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ix_cases_open_agency_due" in plan, plan
