"""POST requests: an app files a service request, which becomes a normal case; bad input stores nothing."""
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.auth.services import issue_api_key, revoke_api_key
from casehub.cases.models import Attachment, Case, CaseStatus, Channel
from casehub.cases.queries import filtered_cases
from casehub.extensions import db
from casehub.models import utcnow
from casehub.open311.documents import w3c
from casehub.open311.models import Open311Request

V2 = "/open311/v2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def cases_stored() -> int:
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


def test_a_request_becomes_a_case_for_the_services_agency(client, open311, pothole_form, make_user):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}", data=pothole_form)
    assert response.status_code == 200
    created, = response.get_json()
    case = db.session.scalar(sa.select(Case))
    assert created["service_request_id"] == case.number
    assert created["account_id"] == "acct-9"
    assert case.number in created["service_notice"]
    assert case.channel is Channel.OPEN311 and case.category == open311.pothole
    assert case.status is CaseStatus.ASSIGNED and case.agency == open311.agency
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == ("陳小明", "chen@example.com",
                                                                               "0912345678")
    assert case.contact_preference.value == "email"
    assert str(case.lat) == "22.627278" and str(case.lng) == "120.301435"
    assert case.address == "高雄市苓雅區四維三路2號"
    assert case.attributes == {"SIZE": "large", "LANES": ["left", "right"], "DEPTH": 12.5,
                               "SEEN": "2026-11-25T08:00:00+08:00", "PLATE": "A-17", "NOTES": "在公車站前\n靠近路口"}
    submission = db.session.scalar(sa.select(Open311Request))
    assert (submission.case_id, submission.api_key_id, submission.device_id, submission.media_url) == (
        case.id, open311.api_key.id, "device-1", "https://img.example.com/p.jpg")
    staff = make_user(Role.AGENCY_STAFF, agency=open311.agency)
    inbox = db.session.scalars(filtered_cases(staff, {"open_only": True}, now=utcnow())).all()
    assert inbox == [case]


def test_the_notice_gives_the_citizen_the_private_code_for_the_tracking_page(client, open311, pothole_form):
    created, = client.post(f"{V2}/requests.json?api_key={open311.key}", data=pothole_form).get_json()
    code = re.findall(r"\b[A-HJ-NP-Z2-9]{10}\b", created["service_notice"])[-1]  # after the case number
    response = client.post("/citizen/track", data={"number": created["service_request_id"], "code": code})
    assert response.headers["Location"] == f"/citizen/track/{created['service_request_id']}"
    assert code not in client.get(f"{V2}/requests/{created['service_request_id']}.json").get_data(as_text=True)


def test_xml_answer(client, open311, pothole_form):
    response = client.post(f"{V2}/requests.xml", data={**pothole_form, "api_key": open311.key})
    assert response.status_code == 200 and response.content_type == "text/xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == "service_requests"
    assert [child.tag for child in root.find("request")] == ["service_request_id", "service_notice", "account_id"]


def test_api_key_in_the_form_body_works_too(client, open311, pothole_form):
    assert client.post(f"{V2}/requests.json", data={**pothole_form, "api_key": open311.key}).status_code == 200


def test_empty_jurisdiction_id_on_post_is_treated_as_absent(client, open311, pothole_form):
    response = client.post(f"{V2}/requests.json?jurisdiction_id=&api_key={open311.key}",
                           data={**pothole_form, "jurisdiction_id": ""})
    assert response.status_code == 200


def test_the_city_app_counts_in_the_app_channel(client, open311, pothole_form):
    _key, plain = issue_api_key("city-app-ios", None)
    db.session.commit()
    client.post(f"{V2}/requests.json", data={**pothole_form, "api_key": plain})
    assert db.session.scalar(sa.select(Case.channel)) is Channel.APP


def test_a_name_in_latin_letters_is_first_name_first(client, open311, pothole_form):
    client.post(f"{V2}/requests.json?api_key={open311.key}",
                data={**pothole_form, "first_name": "John", "last_name": "Smith"})
    assert db.session.scalar(sa.select(Case.reporter_name)) == "John Smith"


def test_without_name_email_or_phone_the_reporter_is_anonymous(client, open311):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}",
                           data={"service_code": "petition_civil", "address_string": "高雄市前金區"})
    assert response.status_code == 200
    case = db.session.scalar(sa.select(Case))
    assert case.reporter_anonymous and case.description == "民政類陳情"


def test_media_uploaded_with_the_request_is_attached(client, open311, pothole_form):
    data = {**pothole_form, "api_key": open311.key, "media": (io.BytesIO(PNG), "hole.png")}
    assert client.post(f"{V2}/requests.json", data=data, content_type="multipart/form-data").status_code == 200
    assert db.session.scalar(sa.select(Attachment.content_type)) == "image/png"


def test_csrf_does_not_apply_to_apps(app, client, open311, pothole_form, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"{V2}/requests.json?api_key={open311.key}", data=pothole_form).status_code == 200


@pytest.mark.parametrize("api_key, description", [
    (None, "api_key was not provided -- can't proceed with create_request."),
    ("", "api_key was not provided -- can't proceed with create_request."),
    ("c311_wrong", "Invalid api_key received -- can't proceed with create_request."),
])
def test_missing_or_wrong_api_key_is_403(client, open311, pothole_form, api_key, description):
    data = pothole_form if api_key is None else {**pothole_form, "api_key": api_key}
    response = client.post(f"{V2}/requests.json", data=data)
    assert response.status_code == 403
    assert response.get_json() == [{"code": 403, "description": description}]
    assert cases_stored() == 0


def test_a_revoked_key_is_403(client, open311, pothole_form):
    revoke_api_key(open311.api_key, None)
    db.session.commit()
    response = client.post(f"{V2}/requests.xml?api_key={open311.key}", data=pothole_form)
    assert response.status_code == 403
    assert ET.fromstring(response.data).findtext("error/code") == "403"


@pytest.mark.parametrize("change, description", [
    ({"service_code": ""}, "service_code: service_code was not provided."),
    ({"lat": "north"}, "lat: Not a valid number."),
    ({"lat": "91"}, "lat: Must be greater than or equal to -90 and less than or equal to 90."),
    ({"long": "NaN"}, "long: Special numeric values (nan or infinity) are not permitted."),
    ({"long": ""}, "lat: lat and long must be sent together."),
    ({"lat": "", "long": "", "address_string": ""}, "location: A location is required: lat and long, or "
                                                    "address_string."),
    ({"attribute[SIZE]": ""}, "attribute[SIZE] is required: How large is the hole?"),
    ({"attribute[SIZE]": "huge"}, "attribute[SIZE]: huge is not one of the listed values."),
    ({"attribute[SIZE]": ["small", "large"]}, "attribute[SIZE] takes one value."),
    ({"attribute[LANES][]": ["left", "middle"]}, "attribute[LANES]: middle is not one of the listed values."),
    ({"attribute[DEPTH]": "deep"}, "attribute[DEPTH] must be a number."),
    ({"attribute[SEEN]": "yesterday"}, "attribute[SEEN] must be an ISO 8601 date-time, e.g. "
                                       "2026-01-01T08:00:00+08:00."),
    ({"attribute[PLATE]": "A\nB"}, "attribute[PLATE] must be a single line (use a text attribute for several "
                                   "lines)."),
    ({"attribute[COLOUR]": "red"}, "attribute[COLOUR] is not a question of service 'pothole'."),
    ({"attribute[SAFETY]": "ok"}, "attribute[SAFETY] is not a question of service 'pothole'."),
    ({"phone": "12345"}, "phone: Not a valid phone number (e.g. 0912345678, 07-3368333 or +1 312 555 0199)."),
    ({"email": "not-an-address"}, "email: Not a valid email address."),
    ({"description": "坑" * 4001}, "description: Longer than maximum length 4000."),
    ({"media_url": "javascript:alert(1)"}, "media_url: Not a valid URL."),
])
def test_bad_input_is_400_with_the_problem_named_and_nothing_stored(client, open311, pothole_form, change,
                                                                     description):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}", data={**pothole_form, **change})
    assert response.status_code == 400, response.get_json()
    assert {"code": 400, "description": description} in response.get_json()
    assert cases_stored() == 0
    assert db.session.scalar(sa.select(sa.func.count(Open311Request.id))) == 0


def test_every_problem_is_listed_at_once(client, open311, pothole_form):
    data = {**pothole_form, "attribute[SIZE]": "", "attribute[DEPTH]": "deep"}
    response = client.post(f"{V2}/requests.xml?api_key={open311.key}", data=data)
    assert response.status_code == 400
    assert [e.findtext("description") for e in ET.fromstring(response.data).findall("error")] == [
        "attribute[SIZE] is required: How large is the hole?", "attribute[DEPTH] must be a number."]


def test_a_mislabelled_upload_is_400(client, open311, pothole_form):
    data = {**pothole_form, "api_key": open311.key, "media": (io.BytesIO(b"MZ not a photo"), "hole.png")}
    response = client.post(f"{V2}/requests.json", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description": "attachments: hole.png: not a photo (JPEG, PNG, GIF, "
                                                                 "WebP) or PDF."}]
    assert cases_stored() == 0


@pytest.mark.parametrize("code", ["nope", "petition_complex"])
def test_unknown_or_hidden_service_is_404(client, open311, pothole_form, code):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}", data={**pothole_form, "service_code": code})
    assert response.status_code == 404
    assert response.get_json() == [{"code": 404, "description": f"service_code '{code}' was not found."}]
    assert cases_stored() == 0


def test_another_jurisdiction_is_404_and_stores_nothing(client, open311, pothole_form):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}",
                           data={**pothole_form, "jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    assert cases_stored() == 0


def test_batch_services_answer_with_a_token_to_trade_for_the_id(client, open311):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}",
                           data={"service_code": "bulky_waste", "address_string": "高雄市鼓山區"})
    created, = response.get_json()
    assert "service_request_id" not in created and created["token"]
    case = db.session.scalar(sa.select(Case))
    for fmt in ("json", "xml"):
        answer = client.get(f"{V2}/tokens/{created['token']}.{fmt}")
        assert answer.status_code == 200
    assert client.get(f"{V2}/tokens/{created['token']}.json").get_json() == [
        {"service_request_id": case.number, "token": created["token"]}]
    missing = client.get(f"{V2}/tokens/nope.json")
    assert missing.status_code == 404 and missing.get_json() == [{"code": 404,
                                                                  "description": "token 'nope' was not found."}]


def test_blackbox_services_answer_with_neither_id_nor_token(client, open311):
    created, = client.post(f"{V2}/requests.json?api_key={open311.key}",
                           data={"service_code": "tip_line", "address_string": "高雄市"}).get_json()
    assert set(created) == {"service_notice", "account_id"}
    assert cases_stored() == 1


def test_post_is_rate_limited_per_api_key(app, client, open311, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "open311_post", (2, 60))
    other, other_key = issue_api_key("other-app", None)
    db.session.commit()
    data = {"service_code": "petition_civil", "address_string": "高雄市"}
    assert [client.post(f"{V2}/requests.json?api_key={open311.key}", data=data).status_code
            for _attempt in range(3)] == [200, 200, 429]
    refused = client.post(f"{V2}/requests.xml?api_key={open311.key}", data=data)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 60
    assert ET.fromstring(refused.data).findtext("error/code") == "429"
    assert client.post(f"{V2}/requests.json?api_key={other_key}", data=data).status_code == 200
    assert cases_stored() == 3


def test_the_cases_deadline_is_the_expected_datetime(client, open311, pothole_form):
    """A four-hour hazard is expected four clock hours after receipt; a petition by its working-day deadline."""
    hazard, = client.post(f"{V2}/requests.json?api_key={open311.key}", data=pothole_form).get_json()
    petition, = client.post(f"{V2}/requests.json?api_key={open311.key}",
                            data={"service_code": "petition_civil", "address_string": "高雄市前金區"}).get_json()
    for created in (hazard, petition):
        case = db.session.scalar(sa.select(Case).where(Case.number == created["service_request_id"]))
        read, = client.get(f"{V2}/requests/{case.number}.json").get_json()
        assert case.due_at is not None and read["expected_datetime"] == w3c(case.due_at)
        assert read["expected_datetime"].endswith("+08:00")
    hazard_case = db.session.scalar(sa.select(Case).where(Case.number == hazard["service_request_id"]))
    assert hazard_case.due_at - hazard_case.received_at == timedelta(hours=4)
