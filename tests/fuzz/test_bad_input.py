"""Each kind of bad input the fuzzing found answers a 4xx in the endpoint's own format, and saves nothing."""
import inspect
import json
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.auth.services import issue_token
from casehub.cases.models import Case, CaseEvent
from casehub.cases.services import _HANDLERS, ACTIONS
from casehub.extensions import db
from casehub.intake.models import Call
from casehub.intake.schemas import ACTION_FIELDS
from tests.fuzz.hostile import deep_json


@pytest.fixture
def world(make_case, make_user, make_district):
    """A case, the operator who may act on it, their token, and a district to file new cases in."""
    case = make_case()
    operator = make_user(Role.OPERATOR)
    make_district(code="sanmin")
    token = issue_token(operator)
    db.session.commit()
    return {"case": case, "operator": operator, "headers": {"Authorization": f"Bearer {token}"},
            "category": case.category.code}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _envelope(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()["error"]


# -- NUL characters, invalid UTF-8, malformed percent-encoding: a 400 in each format --------------------------

@pytest.mark.parametrize("url", ["/api/v1/cases?q=a%00b", "/api/v1/cases/%00", "/api/v1/cases?q=%ff%fe",
                                 "/api/v1/cases?q=100%", "/api/v1/cases?q=%zz"])
def test_the_api_refuses_unreadable_urls_with_the_error_envelope(client, world, url):
    error = _envelope(client.get(url, headers=world["headers"]), 400)
    assert error["code"] == "unreadable_input"
    assert error["fields"]


def test_the_api_names_the_parameter_holding_a_nul(client, world):
    error = _envelope(client.get("/api/v1/cases?q=a%00b&status=open", headers=world["headers"]), 400)
    assert error["fields"] == {"q": ["Must not contain a NUL character."]}


@pytest.mark.parametrize("url", ["/cases/?q=a%00b", "/cases/%00", "/cases/?q=%c3%28"])
def test_pages_refuse_unreadable_urls_with_an_error_page(client, world, login, url):
    login(world["operator"])
    response = client.get(url)
    assert response.status_code == 400
    assert response.content_type.startswith("text/html")
    assert "無法讀取" in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("url", ["/open311/v2/services/%00.{fmt}", "/open311/v2/requests.{fmt}?service_code=a%00b",
                                 "/open311/v2/requests.{fmt}?status=%ff"])
def test_open311_refuses_unreadable_urls_with_its_error_document(client, world, url, fmt):
    response = client.get(url.format(fmt=fmt))
    assert response.status_code == 400
    if fmt == "json":
        errors = response.get_json()
        assert errors[0]["code"] == 400
    else:
        errors = ET.fromstring(response.data)
        assert errors.tag == "errors" and errors.find("error/code").text == "400"


def test_a_form_body_that_is_not_utf8_is_refused_and_saves_nothing(client, world, login):
    login(world["operator"])
    version, events = world["case"].version, _count(CaseEvent)
    response = client.post(f"/cases/{world['case'].number}/actions/note", data=b"text=%ff%fe",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert _count(CaseEvent) == events and db.session.get(Case, world["case"].id).version == version


def test_a_nul_inside_a_json_string_is_refused_and_saves_nothing(client, world):
    body = {"channel": "phone", "category": world["category"], "description": "路燈\u0000不亮"}
    error = _envelope(client.post("/api/v1/cases", headers=world["headers"], json=body), 400)
    assert error["fields"] == {"description": ["Must not contain a NUL character."]}
    assert _count(Case) == 1


def test_a_lone_surrogate_in_json_is_refused(client, world):
    error = _envelope(client.post("/api/v1/cases", headers=world["headers"], content_type="application/json",
                                  data='{"channel": "phone", "category": "x", "description": "\\ud800"}'), 400)
    assert error["fields"] == {"description": ["Is not valid UTF-8."]}


# -- JSON nested 100,000 levels deep, and deeper than we read -------------------------------------------------

def test_json_nested_100000_levels_deep_is_a_400_not_a_recursion_error(client, world):
    error = _envelope(client.post("/api/v1/cases", headers=world["headers"], data=deep_json(),
                                  content_type="application/json"), 400)
    assert error["code"] == "invalid_json"
    assert _count(Case) == 1


def test_json_nested_deeper_than_32_levels_is_refused_by_name(client, world):
    body = {"channel": "phone", "category": world["category"], "description": "x",
            "attributes": {"a": json.loads("[" * 40 + "]" * 40)}}
    error = _envelope(client.post("/api/v1/cases", headers=world["headers"], json=body), 400)
    assert error["fields"] == {"attributes": ["Is nested more than 32 levels deep."]}


# -- ids beyond PostgreSQL's integer range, and negative: no such thing ---------------------------------------

@pytest.mark.parametrize("call_id", ["2147483648", "99999999999999999999", "-1"])
def test_an_id_out_of_range_is_a_404_in_the_api(client, world, call_id):
    assert _envelope(client.get(f"/api/v1/calls/{call_id}", headers=world["headers"]), 404)["code"] == "not_found"


def test_an_id_out_of_range_is_a_404_page(client, make_user, login):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(admin)
    assert client.get("/admin/users/2147483648").status_code == 404
    assert client.get("/admin/users/2147483647").status_code == 404


def test_a_call_id_out_of_range_is_a_field_error(client, world):
    body = {"channel": "phone", "category": world["category"], "description": "x", "call_id": 2**31}
    assert "call_id" in _envelope(client.post("/api/v1/cases", headers=world["headers"], json=body), 422)["fields"]


# -- dates before 1900 or after 2100: a field error ----------------------------------------------------------

@pytest.mark.parametrize("query", ["received_from=9999-12-31", "received_to=1899-12-31"])
def test_a_case_list_date_out_of_range_is_a_field_error(client, world, query):
    error = _envelope(client.get(f"/api/v1/cases?{query}", headers=world["headers"]), 422)
    assert list(error["fields"].values()) == [["The year must be between 1900 and 2100."]]


def test_a_call_started_in_year_9999_is_a_field_error_and_nothing_is_saved(client, world):
    body = {"started_at": "9999-12-31T23:59:59+08:00", "outcome": "consultation"}
    error = _envelope(client.post("/api/v1/calls", headers=world["headers"], json=body), 422)
    assert error["fields"] == {"started_at": ["The year must be between 1900 and 2100."]}
    assert _count(Call) == 0


def test_a_report_period_in_year_9999_is_a_field_error(client, make_user):
    manager = make_user(Role.MANAGER)
    token = issue_token(manager)
    db.session.commit()
    response = client.get("/api/v1/reports/calls?from=2026-01-01&to=9999-12-31",
                          headers={"Authorization": f"Bearer {token}"})
    assert _envelope(response, 422)["fields"] == {"to": ["The year must be between 1900 and 2100."]}


def test_open311_refuses_a_start_date_in_year_1_with_its_error_document(client, world):
    response = client.get("/open311/v2/requests.json?start_date=0001-01-01")
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description": "start_date: The year must be between 1900 and 2100."}]


def test_a_filter_page_ignores_a_date_out_of_range(client, make_user, login):
    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    assert client.get("/admin/audit?to_day=9999-12-31").status_code == 200


# -- wrong JSON types ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("reporter", ["x", 1, ["x"], True])
def test_a_reporter_that_is_not_an_object_is_a_field_error(client, world, reporter):
    body = {"channel": "phone", "category": world["category"], "description": "x", "reporter": reporter}
    error = _envelope(client.post("/api/v1/cases", headers=world["headers"], json=body), 422)
    assert error["fields"] == {"reporter": {"_schema": ["Invalid input type."]}}
    assert _count(Case) == 1


@pytest.mark.parametrize("body", [[], "x", 1, None])
def test_a_body_that_is_not_an_object_is_a_400(client, world, body):
    assert _envelope(client.post("/api/v1/calls", headers=world["headers"], json=body), 400)["code"] == "invalid_json"


def test_a_number_for_a_string_is_a_field_error(client, world):
    body = {"channel": "phone", "category": world["category"], "description": 12}
    assert _envelope(client.post("/api/v1/cases", headers=world["headers"], json=body), 422)["fields"] == {
        "description": ["Not a valid string."]}


# -- a field meant for another action ------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "body", "foreign"), [
    ("reassign", {"agency": "X", "reason": "wrong agency"}, "reason"),
    ("note", {"text": "call back", "reply": "done"}, "reply"),
    ("cancel", {"reason": "duplicate", "into": "20260101-000001"}, "into"),
])
def test_a_field_meant_for_another_action_is_a_field_error(client, world, action, body, foreign):
    case, events = world["case"], _count(CaseEvent)
    error = _envelope(client.post(f"/api/v1/cases/{case.number}/actions/{action}", headers=world["headers"],
                                  json=body), 422)
    assert error["fields"] == {foreign: ["Unknown field."]}
    assert _count(CaseEvent) == events and db.session.get(Case, case.id).version == case.version


def test_a_page_form_with_another_actions_field_is_refused_without_a_change(client, world, login):
    login(world["operator"])
    case = world["case"]
    response = client.post(f"/cases/{case.number}/actions/cancel", data={"reason": "重複", "text": "x"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert db.session.get(Case, case.id).status == case.status


def test_each_actions_fields_are_what_its_service_handler_reads():
    assert set(ACTION_FIELDS) == set(ACTIONS)
    for action, fields in ACTION_FIELDS.items():
        parameters = inspect.signature(_HANDLERS[action]).parameters
        read = {name for name, parameter in parameters.items() if parameter.kind is parameter.KEYWORD_ONLY}
        assert set(fields) == read - {"actor", "now"}, action
