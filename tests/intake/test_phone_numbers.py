"""The operator console and the JSON API read phone numbers with the same parser: one stored form for a Taiwanese
number, a foreign one kept in E.164, and a field error for anything that is not a phone number."""
import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.auth.services import issue_token
from casehub.cases.models import Case
from casehub.extensions import db
from casehub.intake.models import Call


@pytest.fixture
def pothole(make_category, make_agency):
    category = make_category(code="pothole", default_agency=make_agency(code="PWB-MAINT"))
    db.session.commit()
    return category


def _console(client, make_user, login, phone: str):
    operator = make_user(Role.OPERATOR)
    db.session.commit()
    login(operator)
    return client.post("/intake/console", data={
        "caller_phone": phone, "outcome": "case", "category": "pothole", "description": "大坑洞",
        "address": "高雄市三民區九如一路100號", "channel": "phone", "contact_preference": "phone"})


def _api(client, make_user, body: dict):
    token = issue_token(make_user(Role.OPERATOR))
    db.session.commit()
    return client.post("/api/v1/cases", headers={"Authorization": f"Bearer {token}"},
                       json={"channel": "phone", "category": "pothole", "description": "大坑洞"} | body)


@pytest.mark.parametrize("given, stored", [("0912-345-678", "0912345678"), ("+886 912 345 678", "0912345678"),
                                           ("(07)336-8333", "073368333"), ("+1 312 555 0199", "+13125550199")])
def test_the_console_stores_one_form(client, make_user, login, pothole, given, stored):
    assert _console(client, make_user, login, given).status_code == 302
    assert db.session.scalar(sa.select(Case.reporter_phone)) == stored
    assert db.session.scalar(sa.select(Call.caller_phone)) == stored


def test_the_console_names_what_is_not_a_phone_number(client, make_user, login, pothole):
    response = _console(client, make_user, login, "王先生")
    assert response.status_code == 422 and "不是有效的電話號碼" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_the_api_accepts_a_foreign_number(client, make_user, pothole):
    response = _api(client, make_user, {"reporter": {"phone": "+1 312 555 0199", "contact_preference": "sms"}})
    assert response.status_code == 201
    assert db.session.scalar(sa.select(Case.reporter_phone)) == "+13125550199"


def test_the_api_names_what_is_not_a_phone_number(client, make_user, pothole):
    response = _api(client, make_user, {"reporter": {"phone": "not a phone"}})
    assert response.status_code == 422
    assert "phone" in response.json["error"]["fields"]["reporter"]
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
