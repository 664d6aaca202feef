import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from casehub.auth.models import ApiToken, Role, User
from casehub.auth.services import authenticate, issue_token
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.models import utcnow


def test_operator_signs_in_and_sees_the_home_page_in_chinese(client, make_user, login):
    user = make_user(Role.OPERATOR, display_name="林話務")
    db.session.commit()
    assert login(user).headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "林話務，您好" in page
    assert "登出" in page


def test_language_switch_to_english_sticks_to_the_user(client, make_user, login):
    user = make_user(Role.OPERATOR, display_name="Lin")
    db.session.commit()
    login(user)
    client.post("/language/en")
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Lin" in page and "Sign out" in page
    db.session.refresh(user)
    assert user.locale == "en"


def test_unknown_language_is_not_found(client):
    assert client.post("/language/fr").status_code == 404


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user()
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": "wrong-password"})
    assert response.status_code == 401
    assert "帳號或密碼錯誤" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_empty_login_form_names_the_missing_fields(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("field-error") == 2


def test_a_username_with_a_nul_byte_is_refused_by_the_input_guard(client):
    response = client.post("/login", data={"username": "chen\x00", "password": "wrong-password"})
    assert response.status_code == 400


def test_pages_redirect_to_login_and_back(client, make_user):
    assert client.get("/").headers["Location"] == "/login?next=/"
    user = make_user()
    db.session.commit()
    response = client.post("/login?next=/healthz", data={"username": user.username,
                                                          "password": "correct-horse-battery"})
    assert response.headers["Location"] == "/healthz"


def test_login_refuses_to_redirect_off_site(client, make_user):
    user = make_user()
    db.session.commit()
    response = client.post("/login?next=//evil.example/", data={"username": user.username,
                                                                 "password": "correct-horse-battery"})
    assert response.headers["Location"] == "/"


def test_sign_out(client, make_user, login):
    user = make_user()
    db.session.commit()
    login(user)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user):
    make_user(username="chen")
    db.session.commit()
    wrong = client.post("/login", data={"username": "chen", "password": "wrong-password"})
    unknown = client.post("/login", data={"username": "nobody", "password": "wrong-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert sorted(wrong.headers.keys()) == sorted(unknown.headers.keys())
    # The form shows back what was typed; apart from that the pages are the same.
    assert wrong.get_data(as_text=True).replace('value="chen"', "") == \
        unknown.get_data(as_text=True).replace('value="nobody"', "")


def test_an_unknown_username_costs_a_password_hash_too(app, monkeypatch):
    checked = []

    def counting_check(pwhash, password):
        checked.append(pwhash.split("$")[0])
        return check_password_hash(pwhash, password)

    monkeypatch.setattr("casehub.auth.services.check_password_hash", counting_check)
    with pytest.raises(DomainError, match="Wrong username or password"):
        authenticate("nobody", "some-password", address="10.0.0.1", now=utcnow())
    # The same method as real passwords: the same cost.
    assert checked == [app.config["PASSWORD_HASH_METHOD"]]


def test_deactivated_user_cannot_sign_in(app, make_user):
    user = make_user()
    user.active = False
    with pytest.raises(DomainError, match="Wrong username or password"):
        authenticate(user.username, "correct-horse-battery", address="10.0.0.1", now=utcnow())


def test_bearer_token_authenticates_api_requests(client, make_user):
    user = make_user(Role.AGENCY_STAFF)
    token = issue_token(user)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["username"] == user.username
    assert response.json["agency"]["code"] == user.agency.code
    stored = db.session.scalar(sa.select(ApiToken))
    assert token not in stored.token_hash and stored.last_used_at is not None


def test_api_without_or_with_a_bad_token_gets_401_json(client):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"


def test_revoked_token_is_refused(client, make_user):
    user = make_user()
    token = issue_token(user)
    db.session.scalar(sa.select(ApiToken)).revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_forms_are_csrf_protected(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        user = make_user()
        db.session.commit()
        response = app.test_client().post("/login", data={"username": user.username,
                                                          "password": "correct-horse-battery"})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
