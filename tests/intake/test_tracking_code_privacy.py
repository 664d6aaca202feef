"""A case's private tracking code reaches the citizen alone, in their own message: no staff page, API answer,
log line or export carries it."""
import logging

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.auth.services import issue_token
from casehub.cases.models import Case
from casehub.extensions import db
from casehub.notify.models import LocalMail, OutboxMessage

STAFF_PAGES = {
    Role.OPERATOR: ["/intake/console", "/cases/", "/cases/{number}", "/cases/{number}?reveal=1", "/notify/sent",
                    "/notify/alerts", "/intake/lookup?phone=0912345678&category=pothole"],
    Role.MANAGER: ["/intake/console", "/cases/", "/cases/{number}", "/cases/{number}?reveal=1", "/notify/sent",
                   "/notify/alerts", "/admin/audit", "/admin/personal-data-views/",
                   "/admin/personal-data-views/export.csv"],
    Role.ADMIN: ["/notify/sent", "/notify/failed", "/admin/audit", "/admin/personal-data-views/",
                 "/admin/personal-data-views/export.csv"],
    Role.AGENCY_STAFF: ["/cases/", "/cases/{number}", "/cases/{number}?reveal=1", "/notify/sent", "/notify/alerts"],
    Role.AGENCY_SUPERVISOR: ["/cases/", "/cases/{number}?reveal=1", "/notify/sent"],
}
API_PATHS = {
    Role.OPERATOR: ["/api/v1/cases", "/api/v1/cases/{number}", "/api/v1/cases/{number}?include=reporter",
                    "/api/v1/calls/{call_id}"],
    Role.MANAGER: ["/api/v1/cases", "/api/v1/cases/{number}", "/api/v1/calls/{call_id}"],
    Role.AGENCY_STAFF: ["/api/v1/cases", "/api/v1/cases/{number}?include=reporter"],
}


@pytest.fixture
def pothole(make_category, make_agency, make_district):
    category = make_category(code="pothole", name_zh="市區道路坑洞處理", default_agency=make_agency(code="PWB-MAINT"))
    make_district(code="sanmin", name_zh="三民區")
    db.session.commit()
    return category


def test_the_tracking_code_is_in_the_citizens_message_and_nowhere_staff_look(app, pothole, make_user, run_jobs,
                                                                             caplog):
    caplog.set_level(logging.DEBUG)
    users = {role: make_user(role, agency=pothole.default_agency if role.needs_agency else None) for role in Role}
    db.session.commit()
    operator = app.test_client()
    operator.post("/login", data={"username": users[Role.OPERATOR].username, "password": "correct-horse-battery"})
    opened = operator.post("/intake/console", follow_redirects=True, data={
        "caller_phone": "0912-345-678", "outcome": "case", "category": "pothole", "description": "大坑洞",
        "address": "高雄市三民區九如一路100號", "channel": "phone", "contact_preference": "sms",
        "reporter_name": "王小明"})
    assert opened.status_code == 200
    run_jobs()
    case = db.session.scalar(sa.select(Case))
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "case_received"))
    code = message.payload["tracking_code"]
    assert code in db.session.scalar(sa.select(LocalMail.body).where(LocalMail.message_id == message.id))
    answers = {"console after opening the case": opened.get_data(as_text=True)}

    token = issue_token(users[Role.OPERATOR])
    db.session.commit()
    created = app.test_client().post("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}, json={
        "channel": "phone", "category": "pothole", "description": "另一個坑洞",
        "reporter": {"phone": "+1 312 555 0199", "contact_preference": "sms"}})
    assert created.status_code == 201
    answers["POST /api/v1/cases"] = created.get_data(as_text=True)
    run_jobs()
    codes = [code] + [found.payload["tracking_code"] for found in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "case_received", OutboxMessage.id != message.id))]
    assert len(codes) == 2

    call_id = db.session.scalar(sa.text("SELECT max(id) FROM calls"))
    for role, paths in STAFF_PAGES.items():
        client = app.test_client()
        client.post("/login", data={"username": users[role].username, "password": "correct-horse-battery"})
        for path in paths:
            response = client.get(path.format(number=case.number))
            assert response.status_code == 200, (role, path)
            answers[f"{role} {path}"] = response.get_data(as_text=True)
    for role, paths in API_PATHS.items():
        token = issue_token(users[role])
        db.session.commit()
        for path in paths:
            response = app.test_client().get(path.format(number=case.number, call_id=call_id),
                                             headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (role, path)
            answers[f"{role} {path}"] = response.get_data(as_text=True)

    leaks = [(where, secret) for where, text in answers.items() for secret in codes if secret in text]
    assert leaks == []
    assert not any(secret in caplog.text for secret in codes)
    assert "0912***678" in answers[f"{Role.OPERATOR} /notify/sent"]  # the page is there, masked
