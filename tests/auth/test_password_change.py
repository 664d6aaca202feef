"""The password policy, and the forced change after an administrator reset a password."""
import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role, User
from casehub.auth.services import change_password, check_password_policy, create_user, issue_token
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.models import utcnow


@pytest.mark.parametrize("password,reason", [
    ("short", "at least 10 characters"),
    ("my-chen.li-pass", "must not contain the username"),
    ("1234567890", "most common"),
    ("PassWord123", "most common"),
    ("Qwertyuiop", "most common"),
])
def test_policy_refuses_weak_passwords(app, password, reason):
    with pytest.raises(DomainError, match=f"(?i){reason}") as refused:
        check_password_policy(password, "chen.li")
    assert refused.value.code == "weak_password" and "password" in refused.value.fields


def test_policy_accepts_a_long_uncommon_password(app):
    check_password_policy("Lotus-Pond-Dragon-Tiger", "chen.li")


def test_the_cli_refuses_a_common_password_too(app):
    result = app.test_cli_runner().invoke(args=[
        "casehub", "create-user", "--username", "lee", "--role", "operator", "--password", "password1234"])
    assert result.exit_code == 1 and "most common" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_new_users_cannot_join_a_deactivated_agency(app, make_agency):
    make_agency(code="OLD", active=False)
    with pytest.raises(DomainError) as refused:
        create_user(username="lee", password="Lotus-Pond-Dragon", role="agency_staff", agency_code="OLD")
    assert refused.value.code == "agency_inactive"


@pytest.fixture
def reset_user(client, app, make_user):
    """A user whose password an administrator has just reset to a temporary one."""
    admin = make_user(Role.ADMIN)
    user = make_user(Role.OPERATOR, username="chen")
    db.session.commit()
    admin_client = app.test_client()
    admin_client.post("/login", data={"username": admin.username, "password": "correct-horse-battery"})
    response = admin_client.post(f"/admin/users/{user.id}/password",
                                 data={"password": "Temporary-Lotus-1", "confirm": "Temporary-Lotus-1"})
    assert response.status_code == 302
    return user


def test_after_a_reset_every_page_leads_to_the_change_password_page(client, reset_user):
    response = client.post("/login?next=/admin/", data={"username": "chen", "password": "Temporary-Lotus-1"})
    assert response.status_code == 302
    for path in ("/", "/admin/users", "/api/v1/me"):
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 403 and response.json["error"]["code"] == "password_change_required"
        else:
            assert response.status_code == 302 and response.headers["Location"].startswith("/password?next=")
    assert client.get("/password").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_bearer_tokens_also_wait_for_the_password_change(client, reset_user):
    token = issue_token(reset_user)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_changing_the_password_lets_the_user_in(client, reset_user):
    client.post("/login", data={"username": "chen", "password": "Temporary-Lotus-1"})
    response = client.post("/password?next=/", data={
        "current_password": "Temporary-Lotus-1", "new_password": "My-Own-Lotus-Pond", "confirm": "My-Own-Lotus-Pond"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    db.session.refresh(reset_user)
    assert not reset_user.must_change_password and reset_user.check_password("My-Own-Lotus-Pond")
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.reset_password", "user.change_password"]
    for entry in db.session.scalars(sa.select(AuditEntry)):
        assert "hash" not in str(entry.before) + str(entry.after)


@pytest.mark.parametrize("form,field", [
    ({"current_password": "wrong-password-1", "new_password": "My-Own-Lotus-Pond"}, "current_password"),
    ({"current_password": "Temporary-Lotus-1", "new_password": "Temporary-Lotus-1"}, "new_password"),
    ({"current_password": "Temporary-Lotus-1", "new_password": "password123"}, "new_password"),
    ({"current_password": "Temporary-Lotus-1", "new_password": "My-Own-Lotus-Pond", "confirm": "typo"}, "confirm"),
], ids=["wrong current", "unchanged", "common", "confirmation differs"])
def test_a_refused_change_says_why_beside_the_field(client, reset_user, form, field):
    client.post("/login", data={"username": "chen", "password": "Temporary-Lotus-1"})
    response = client.post("/password", data={"confirm": form["new_password"]} | form)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.refresh(reset_user)
    assert reset_user.must_change_password and reset_user.check_password("Temporary-Lotus-1")


def test_change_password_service_refuses_a_wrong_current_password(app, make_user):
    user = make_user()
    with pytest.raises(DomainError) as refused:
        change_password(user, current_password="not-it-at-all", new_password="My-Own-Lotus-Pond", now=utcnow())
    assert refused.value.code == "wrong_password"


def test_users_without_a_reset_are_never_redirected(client, make_user, login):
    user = make_user()
    db.session.commit()
    login(user)
    assert client.get("/").status_code == 200
