"""GET requests and GET requests/<id>: the public view of cases, filtered as the spec says, with no personal data."""
import xml.etree.ElementTree as ET
from datetime import timedelta, timezone

import pytest

from casehub.auth.models import Role
from casehub.cases.models import Channel
from casehub.cases.services import perform_action
from casehub.extensions import db
from casehub.models import utcnow
from casehub.open311.models import Open311Request

V2 = "/open311/v2"
TAIPEI = timezone(timedelta(hours=8))


@pytest.fixture
def cases(open311, make_case, make_user):
    """An open pothole (filed by an app, with a deadline), a resolved petition, a hidden case, and one from
    100 days ago."""
    now = utcnow()
    pothole = make_case(category=open311.pothole, channel=Channel.OPEN311, received_at=now - timedelta(hours=1),
                        description="路面坑洞，請聯絡陳小明 0912345678 或 chen@example.com", address="高雄市苓雅區四維三路2號",
                        lat=22.627278, lng=120.301435,
                        reporter={"name": "陳小明", "phone": "0912345678", "email": "chen@example.com"})
    pothole.due_at = pothole.received_at + timedelta(hours=4)
    db.session.add(Open311Request(case=pothole, api_key=open311.api_key, media_url="https://img.example.com/p.jpg"))
    petition = make_case(category=open311.petition, received_at=now - timedelta(days=2))
    staff = make_user(Role.AGENCY_STAFF, agency=petition.agency)
    perform_action(petition, "resolve", actor=staff, reply="已處理", now=now - timedelta(days=1))
    hidden = make_case(category=open311.hidden, received_at=now - timedelta(hours=2))
    old = make_case(category=open311.pothole, received_at=now - timedelta(days=100))
    db.session.commit()
    return pothole, petition, hidden, old


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [request["service_request_id"] for request in response.get_json()]


def test_a_request_in_json_has_the_spec_fields_and_no_personal_data(client, cases):
    pothole = cases[0]
    response = client.get(f"{V2}/requests/{pothole.number}.json")
    document, = response.get_json()
    assert list(document) == ["service_request_id", "status", "status_notes", "service_name", "service_code",
                              "description", "agency_responsible", "service_notice", "requested_datetime",
                              "updated_datetime", "expected_datetime", "address", "lat", "long", "media_url"]
    assert document["service_request_id"] == pothole.number
    assert document["status"] == "open"
    assert document["service_code"] == "pothole"
    assert document["agency_responsible"] == "養護工程處"
    assert document["requested_datetime"] == pothole.received_at.astimezone(TAIPEI).isoformat(timespec="seconds")
    assert document["expected_datetime"] == pothole.due_at.astimezone(TAIPEI).isoformat(timespec="seconds")
    assert document["expected_datetime"].endswith("+08:00")
    assert (document["lat"], document["long"]) == (22.627278, 120.301435)
    assert document["media_url"] == "https://img.example.com/p.jpg"
    body = response.get_data(as_text=True)
    for personal in ("陳小明", "0912345678", "chen@example.com"):
        assert personal not in body
    assert document["description"] == "路面坑洞，請聯絡*** *** 或 ***"


def test_a_request_in_xml(client, cases):
    petition = cases[1]
    root = ET.fromstring(client.get(f"{V2}/requests/{petition.number}.xml").data)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("status") == "closed"
    assert request.findtext("updated_datetime") == petition.resolved_at.astimezone(TAIPEI).isoformat(
        timespec="seconds")
    # Without a deadline, coordinates or media, those elements are left out rather than sent empty.
    assert [request.find(tag) for tag in ("expected_datetime", "lat", "long", "media_url")] == [None] * 4


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_hidden_request_is_404(client, cases, fmt):
    hidden = cases[2]
    for number in ("20990101-000001", hidden.number):
        response = client.get(f"{V2}/requests/{number}.{fmt}")
        assert response.status_code == 404
    assert client.get(f"{V2}/requests/nope.json").get_json() == [
        {"code": 404, "description": "service_request_id 'nope' was not found."}]


def test_by_default_the_last_90_days_of_public_requests_newest_first(client, cases):
    pothole, petition, _hidden, _old = cases
    assert ids(client.get(f"{V2}/requests.json")) == [pothole.number, petition.number]
    root = ET.fromstring(client.get(f"{V2}/requests.xml").data)
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [pothole.number, petition.number]


def test_status_filter_and_comma_lists(client, cases):
    pothole, petition, _hidden, _old = cases
    assert ids(client.get(f"{V2}/requests.json?status=open")) == [pothole.number]
    assert ids(client.get(f"{V2}/requests.json?status=closed")) == [petition.number]
    assert ids(client.get(f"{V2}/requests.json?status=open,closed")) == [pothole.number, petition.number]
    assert ids(client.get(f"{V2}/requests.json?status=open&status=closed")) == [pothole.number, petition.number]


def test_service_code_filter(client, cases):
    pothole, petition, _hidden, _old = cases
    assert ids(client.get(f"{V2}/requests.json?service_code=petition_civil")) == [petition.number]
    assert ids(client.get(f"{V2}/requests.json?service_code=pothole,petition_civil")) == [pothole.number,
                                                                                          petition.number]


def test_a_date_window(client, cases):
    pothole, petition, _hidden, old = cases
    start = (old.received_at - timedelta(days=1)).astimezone(TAIPEI).isoformat()
    end = (old.received_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client.get(f"{V2}/requests.json", query_string={"start_date": start, "end_date": end})) == [old.number]
    # With only a start date the window runs 90 days from it.
    assert ids(client.get(f"{V2}/requests.json", query_string={"start_date": start})) == [old.number]
    # With only an end date it reaches back 90 days.
    recent = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client.get(f"{V2}/requests.json", query_string={"end_date": recent})) == [pothole.number,
                                                                                          petition.number]


def test_a_plus_sign_left_unescaped_in_the_query_string_still_reads(client, cases):
    old = cases[3]
    day = old.received_at.astimezone(TAIPEI).date()
    url = f"{V2}/requests.json?start_date={day}T00:00:00+08:00&end_date={day}T23:59:59+08:00"
    assert ids(client.get(url)) == [old.number]


def test_service_request_id_list_overrides_the_other_filters(client, cases):
    pothole, _petition, hidden, old = cases
    url = f"{V2}/requests.json?service_request_id={old.number},{pothole.number},{hidden.number}&status=closed"
    assert ids(client.get(url)) == [pothole.number, old.number]


@pytest.mark.parametrize("query, description", [
    ("start_date=yesterday", "start_date: Not a W3C date-time, e.g. 2026-01-01T00:00:00+08:00."),
    ("end_date=2026-13-01T00:00:00Z", "end_date: Not a W3C date-time, e.g. 2026-01-01T00:00:00+08:00."),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
     "end_date: start_date and end_date may not span more than 90 days."),
    ("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
     "end_date: end_date must not be before start_date."),
    ("status=pending", "status: status must be open or closed."),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_queries_are_400(client, cases, query, description, fmt):
    response = client.get(f"{V2}/requests.{fmt}?{query}")
    assert response.status_code == 400
    if fmt == "json":
        assert response.get_json() == [{"code": 400, "description": description}]
    else:
        assert ET.fromstring(response.data).findtext("error/description") == description


def test_empty_parameters_are_treated_as_absent(client, cases):
    pothole, petition, _hidden, _old = cases
    url = f"{V2}/requests.json?jurisdiction_id=&start_date=&end_date=&status=&service_code=&service_request_id="
    assert ids(client.get(url)) == [pothole.number, petition.number]


def test_no_more_than_1000_requests(app, client, open311, monkeypatch):
    monkeypatch.setattr("casehub.open311.services.MAX_REQUESTS", 2)
    from casehub.cases.services import open_case
    for _n in range(3):
        open_case(category=open311.petition, channel=Channel.OPEN311, description="x")
    db.session.commit()
    assert len(ids(client.get(f"{V2}/requests.json"))) == 2
