"""The log of personal-data views: managers and admins read it, filtered and paginated, and export it as CSV;
the export is itself audited."""
import csv
import io
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role
from casehub.cases.models import PersonalDataView
from casehub.extensions import db

PAGE = "/admin/personal-data-views/"
EXPORT = "/admin/personal-data-views/export.csv"


@pytest.fixture
def log(make_user, make_case, make_agency, make_category):
    """Views by two staff members of two cases on two days (Taipei time), and 55 more of one case for paging."""
    agency = make_agency()
    staff = make_user(Role.AGENCY_STAFF, agency=agency, username="chen.staff", display_name="陳專員")
    operator = make_user(Role.OPERATOR, username="lin.op", display_name="林話務")
    category = make_category(default_agency=agency)
    first, second = make_case(category=category), make_case(category=category)
    rows = [
        PersonalDataView(user_id=staff.id, case_id=first.id, context="case_page",
                         at=datetime(2026, 3, 1, 15, 0, tzinfo=timezone.utc)),  # 1 March, 23:00 in Taipei
        PersonalDataView(user_id=operator.id, case_id=second.id, context="api",
                         at=datetime(2026, 3, 2, 17, 0, tzinfo=timezone.utc)),  # 3 March, 01:00 in Taipei
    ]
    rows += [PersonalDataView(user_id=operator.id, case_id=second.id, context="case_page",
                              at=datetime(2026, 4, 1, 1, minute, tzinfo=timezone.utc)) for minute in range(55)]
    db.session.add_all(rows)
    db.session.commit()
    return staff, operator, first, second


@pytest.mark.parametrize("role, status", [(Role.MANAGER, 200), (Role.ADMIN, 200), (Role.OPERATOR, 403),
                                          (Role.AGENCY_STAFF, 403), (Role.AGENCY_SUPERVISOR, 403)])
def test_only_managers_and_admins_read_the_log(client, signed_in, role, status):
    signed_in(role)
    assert client.get(PAGE).status_code == status
    assert client.get(EXPORT).status_code == status


def test_the_administration_menu_links_the_log(client, signed_in):
    signed_in(Role.MANAGER)
    assert PAGE in client.get("/admin/").get_data(as_text=True)


def test_the_log_is_filtered_by_user_case_context_and_days(client, signed_in, log):
    staff, operator, first, second = log
    signed_in(Role.MANAGER)
    page = client.get(PAGE).get_data(as_text=True)
    assert "57" in page and first.number not in page  # newest first: the 55 April views fill page one
    assert first.number in client.get(PAGE + "?page=2").get_data(as_text=True)

    by_user = client.get(PAGE, query_string={"user_id": staff.id}).get_data(as_text=True)
    assert first.number in by_user and second.number not in by_user
    by_case = client.get(PAGE, query_string={"case_number": second.number}).get_data(as_text=True)
    assert second.number in by_case and first.number not in by_case
    by_context = client.get(PAGE, query_string={"context": "api"}).get_data(as_text=True)
    assert by_context.count(f">{second.number}<") == 1 and first.number not in by_context
    by_days = client.get(PAGE, query_string={"from_day": "2026-03-03", "to_day": "2026-03-03"}).get_data(as_text=True)
    assert by_days.count(f">{second.number}<") == 1 and first.number not in by_days


def test_a_filter_that_is_not_understood_counts_as_none(client, signed_in, log):
    signed_in(Role.ADMIN)
    for query in ({"from_day": "2026-13-45", "user_id": "x" * 40, "context": "nowhere"},
                  {"case_number": "ab", "to_day": "9999-99-99"}):
        assert client.get(PAGE, query_string=query).status_code == 200
        assert client.get(EXPORT, query_string=query).status_code == 200


def test_a_nul_in_a_filter_is_refused_by_the_input_guard(client, signed_in, log):
    signed_in(Role.ADMIN)
    for query in ({"context": "\u0000"}, {"case_number": "a\u0000b"}):
        assert client.get(PAGE, query_string=query).status_code == 400
        assert client.get(EXPORT, query_string=query).status_code == 400


def test_the_export_is_csv_of_the_filtered_log_and_is_audited(client, signed_in, log):
    staff, _operator, first, _second = log
    manager = signed_in(Role.MANAGER)
    response = client.get(EXPORT, query_string={"user_id": staff.id})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["2026-03-01 23:00", "陳專員", "chen.staff", "agency_staff", first.number] == rows[-1][:5]
    assert sum(1 for row in rows if first.number in row) == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export_personal_data_views"))
    assert entry.actor_id == manager.id and entry.after["rows"] == 1
    assert "陳專員 (chen.staff)" in entry.after["filters"].values()
