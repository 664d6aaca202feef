"""The JSON API v1 for cases: creation, reading, listing, actions and every documented error."""
import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.auth.services import issue_token
from casehub.cases.models import Case, CaseEvent, PersonalDataView
from casehub.extensions import db
from casehub.intake.models import Call


@pytest.fixture
def api(client):
    """Call the API as `user` with a bearer token."""

    def _call(method, path, user, **kwargs):
        token = issue_token(user)
        db.session.commit()
        return client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return _call


@pytest.fixture
def pothole(make_category, make_agency, make_district):
    category = make_category(code="pothole", default_agency=make_agency(code="PWB-MAINT"))
    make_district(code="sanmin", name_zh="三民區")
    db.session.commit()
    return category


def _payload(**overrides):
    body = {"kind": "dispatch", "channel": "phone", "category": "pothole", "description": "九如一路大坑洞",
            "address": "高雄市三民區九如一路100號", "district": "sanmin", "lat": 22.6445, "lng": 120.3120,
            "reporter": {"name": "王小明", "phone": "0912-345-678", "email": "ming@example.tw",
                         "contact_preference": "sms"}}
    return body | overrides


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_operator_creates_a_case(api, make_user, pothole):
    response = api("POST", "/api/v1/cases", make_user(Role.OPERATOR), json=_payload())
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == f"/api/v1/cases/{body['number']}"
    assert body["status"] == "assigned" and body["agency"]["code"] == "PWB-MAINT"
    assert body["reporter"] == {"name": "王*明", "phone": "0912***678", "email": "m***@example.tw",
                                "anonymous": False, "contact_preference": "sms", "masked": True}
    assert body["address"] == "高雄市三民區九如一路***"
    assert [event["type"] for event in body["events"]] == ["received", "assigned", "deadline_changed"]
    assert body["due_at"] is not None and body["routing_reason"]["matched"] == "category_default"
    assert "tracking_code" not in body  # it goes to the citizen alone
    assert db.session.scalar(sa.select(Case.reporter_phone)) == "0912345678"


@pytest.mark.parametrize("overrides, field", [
    ({"category": None}, "category"),
    ({"category": "no-such-thing"}, "category"),
    ({"district": "atlantis"}, "district"),
    ({"reporter": {"phone": "12345", "contact_preference": "sms"}}, "reporter"),
    ({"reporter": {"email": "not-an-email"}}, "reporter"),
    ({"channel": "pigeon"}, "channel"),
    ({"lat": 123.0}, "lat"),
    ({"kind": "petition"}, "kind"),
    ({"description": ""}, "description"),
    ({"received_at": "2099-01-01T00:00:00+08:00"}, "received_at"),
])
def test_bad_case_input_names_the_field_and_saves_nothing(api, make_user, pothole, overrides, field):
    payload = {key: value for key, value in _payload(**overrides).items() if value is not None}
    response = api("POST", "/api/v1/cases", make_user(Role.OPERATOR), json=payload)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert _count(Case) == 0 and _count(CaseEvent) == 0


def test_body_that_is_not_json_is_400(api, make_user, pothole):
    response = api("POST", "/api/v1/cases", make_user(Role.OPERATOR), data="hello",
                   content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"


def test_no_credentials_is_401(client):
    assert client.post("/api/v1/cases", json=_payload()).status_code == 401


def test_agency_staff_may_not_open_cases(api, make_user, pothole):
    response = api("POST", "/api/v1/cases", make_user(Role.AGENCY_STAFF), json=_payload())
    assert response.status_code == 403


def test_case_outside_the_agency_is_404(api, make_user, make_case):
    case = make_case()
    db.session.commit()
    response = api("GET", f"/api/v1/cases/{case.number}", make_user(Role.AGENCY_STAFF))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_agency_accepts_and_resolves_through_the_api(api, make_user, make_case):
    case = make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    db.session.commit()
    number = case.number
    accepted = api("POST", f"/api/v1/cases/{number}/actions/accept", staff, json={"version": case.version})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    missing = api("POST", f"/api/v1/cases/{number}/actions/resolve", staff, json={})
    assert missing.status_code == 422 and missing.json["error"]["fields"] == {"reply": ["Required for this action."]}
    resolved = api("POST", f"/api/v1/cases/{number}/actions/resolve", staff, json={"reply": "已修補完成"})
    assert resolved.json["status"] == "resolved" and resolved.json["reply"] == "已修補完成"
    again = api("POST", f"/api/v1/cases/{number}/actions/accept", staff, json={})
    assert again.status_code == 409 and again.json["error"]["code"] == "illegal_transition"


def test_stale_version_is_409(api, make_user, make_case):
    case = make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    db.session.commit()
    stale = case.version
    api("POST", f"/api/v1/cases/{case.number}/actions/note", staff, json={"text": "到場", "version": stale})
    response = api("POST", f"/api/v1/cases/{case.number}/actions/accept", staff, json={"version": stale})
    assert response.status_code == 409 and response.json["error"]["code"] == "stale_version"


def test_unknown_action_is_404(api, make_user, make_case):
    case = make_case()
    db.session.commit()
    response = api("POST", f"/api/v1/cases/{case.number}/actions/explode", make_user(Role.OPERATOR), json={})
    assert response.status_code == 404


def test_reporter_in_full_only_when_asked_and_allowed_and_logged(api, make_user, make_case):
    case = make_case(reporter={"name": "王小明", "phone": "0912345678"})
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    manager = make_user(Role.MANAGER)
    db.session.commit()
    full = api("GET", f"/api/v1/cases/{case.number}?include=reporter", staff).json
    assert full["reporter"]["phone"] == "0912345678" and full["reporter"]["masked"] is False
    views = db.session.scalars(sa.select(PersonalDataView)).all()
    assert [(view.user_id, view.case_id) for view in views] == [(staff.id, case.id)]
    assert api("GET", f"/api/v1/cases/{case.number}?include=reporter", manager).status_code == 403
    assert api("GET", f"/api/v1/cases/{case.number}", manager).json["reporter"]["masked"] is True


def test_list_is_scoped_filtered_and_paginated(api, make_user, make_case, make_category, make_agency):
    mine = make_agency()
    category = make_category(default_agency=mine)
    for _ in range(3):
        make_case(category=category)
    make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=mine)
    operator = make_user(Role.OPERATOR)
    db.session.commit()
    scoped = api("GET", "/api/v1/cases?per_page=2", staff).json
    assert scoped["total"] == 3 and len(scoped["items"]) == 2 and scoped["page"] == 1
    assert all(item["reporter"]["masked"] for item in scoped["items"])
    assert api("GET", "/api/v1/cases", operator).json["total"] == 4
    assert api("GET", f"/api/v1/cases?agency={mine.code}", operator).json["total"] == 3
    assert api("GET", "/api/v1/cases?status=resolved", operator).json["total"] == 0
    bad = api("GET", "/api/v1/cases?status=lost&per_page=1000", operator)
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"status", "per_page"}


def test_calls_are_logged_and_linked_to_cases(api, make_user, pothole):
    operator = make_user(Role.OPERATOR)
    call = api("POST", "/api/v1/calls", operator, json={
        "caller_phone": "07-3368333", "started_at": "2026-11-26T09:00:00+08:00",
        "ended_at": "2026-11-26T09:02:30+08:00", "outcome": "other"})
    assert call.status_code == 201 and call.json["caller_phone"] == "0733***333"
    assert db.session.scalar(sa.select(Call.caller_phone)) == "073368333"
    case = api("POST", "/api/v1/cases", operator, json=_payload(call_id=call.json["id"]))
    assert case.status_code == 201
    linked = api("GET", f"/api/v1/calls/{call.json['id']}", operator).json
    assert linked["outcome"] == "case" and linked["case_id"] is not None
    reused = api("POST", "/api/v1/cases", operator, json=_payload(call_id=call.json["id"]))
    assert reused.status_code == 422 and "call_id" in reused.json["error"]["fields"]


@pytest.mark.parametrize("payload, field", [
    ({"started_at": "2026-11-26T09:00:00", "outcome": "shouting"}, "outcome"),
    ({"outcome": "other"}, "started_at"),
    ({"started_at": "2026-11-26T09:00:00", "ended_at": "2026-11-26T08:00:00", "outcome": "other"}, "ended_at"),
    ({"started_at": "2026-11-26T09:00:00", "outcome": "case", "answered_immediately": True}, "answered_immediately"),
])
def test_bad_calls_are_422(api, make_user, payload, field):
    response = api("POST", "/api/v1/calls", make_user(Role.OPERATOR), json=payload)
    assert response.status_code == 422 and field in response.json["error"]["fields"]


def test_reference_lists_and_openapi(api, make_user, pothole):
    operator = make_user(Role.OPERATOR)
    assert api("GET", "/api/v1/categories", operator).json["items"][0]["code"] == "pothole"
    assert api("GET", "/api/v1/districts", operator).json["items"][0]["code"] == "sanmin"
    assert "PWB-MAINT" in {a["code"] for a in api("GET", "/api/v1/agencies", operator).json["items"]}
    spec = api("GET", "/api/v1/openapi.json", operator).json
    assert spec["openapi"] == "3.0.3" and "/api/v1/cases/{number}/actions/resolve" in spec["paths"]
    assert "CaseCreate" in spec["components"]["schemas"]
    assert "POST /api/v1/cases" in api("GET", "/api/v1/docs", operator).get_data(as_text=True)


@pytest.mark.parametrize("channel", ["phone", "counter", "mayor_mailbox", "app", "written", "fax",
                                     "sign_language_video", "open311"])
def test_every_channel_opens_a_case_keeping_when_it_was_received(api, make_user, pothole, channel):
    received = "2026-11-20T16:45:00+08:00"
    response = api("POST", "/api/v1/cases", make_user(Role.OPERATOR),
                   json=_payload(channel=channel, received_at=received))
    assert response.status_code == 201, response.json
    assert response.json["channel"] == channel
    assert response.json["received_at"] == "2026-11-20T16:45:00+08:00"
    assert response.json["number"].startswith("20261120-")


def test_anonymous_reporter_leaves_no_personal_data(api, make_user, pothole):
    response = api("POST", "/api/v1/cases", make_user(Role.OPERATOR),
                   json=_payload(reporter={"name": "王小明", "phone": "0912345678", "anonymous": True}))
    assert response.status_code == 201
    case = db.session.scalar(sa.select(Case))
    assert (case.reporter_name, case.reporter_phone, case.reporter_anonymous) == (None, None, True)


def test_api_works_with_csrf_protection_on_and_refuses_form_posts(app, client, api, make_user, pothole, login):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        operator = make_user(Role.OPERATOR)
        assert api("POST", "/api/v1/cases", operator, json=_payload()).status_code == 201
        db.session.commit()
        app.config["WTF_CSRF_ENABLED"] = False
        login(operator)
        app.config["WTF_CSRF_ENABLED"] = True
        number = db.session.scalar(sa.select(Case.number))
        form_post = client.post(f"/api/v1/cases/{number}/actions/note", data={"text": "from another site"})
        assert form_post.status_code == 415
        empty_post = client.post(f"/api/v1/cases/{number}/actions/close")
        assert empty_post.status_code == 415
        json_post = client.post(f"/api/v1/cases/{number}/actions/note", json={"text": "from our own page"})
        assert json_post.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
