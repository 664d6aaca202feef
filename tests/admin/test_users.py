"""Users: an admin onboards, edits, locks out and lets go of staff; every change is audited."""
import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role, User
from casehub.auth.throttle import FailureKind, record_sign_in_failure, sign_in_failures
from casehub.extensions import db
from casehub.models import utcnow

NEW_STAFF = {"username": "wang.dm", "display_name": "王大明", "email": "wang@kcg.gov.tw", "phone": "07-1234567",
             "role": "agency_staff", "locale": "zh_TW", "password": "Tainan-Kaohsiung-7",
             "confirm": "Tainan-Kaohsiung-7"}


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_admin_creates_an_agency_staff_member(client, signed_in, make_agency):
    admin = signed_in(Role.ADMIN)
    agency = make_agency(code="PWB-MAINT")
    db.session.commit()
    response = client.post("/admin/users/new", data=NEW_STAFF | {"agency": agency.id})
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.username == "wang.dm"))
    assert (user.role, user.agency, user.phone, user.locale) == (Role.AGENCY_STAFF, agency, "07-1234567", "zh_TW")
    assert user.check_password("Tainan-Kaohsiung-7") and user.must_change_password
    [entry] = _audit("user.create")
    assert entry.actor_id == admin.id and entry.entity_type == "user" and entry.entity_id == str(user.id)
    assert entry.after["agency"] == "PWB-MAINT" and entry.after["role"] == "agency_staff"
    assert "password" not in entry.after and "password_hash" not in entry.after


@pytest.mark.parametrize("password,message", [
    ("short-pw", "At least 10 characters."),
    ("x-wang.dm-secret", "Must not contain the username."),
    ("Password123", "Too common"),
    ("qwertyuiop", "Too common"),
], ids=["too short", "contains the username", "common", "keyboard row"])
def test_weak_passwords_are_refused_beside_the_field(client, signed_in, password, message):
    signed_in(Role.ADMIN)
    client.post("/language/en")
    response = client.post("/admin/users/new", data=NEW_STAFF | {"role": "operator", "password": password,
                                                                 "confirm": password})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page and message in page
    assert _users() == 1 and not _audit("user.create")


def test_a_duplicate_username_is_refused_beside_the_field(client, signed_in, make_user):
    signed_in(Role.ADMIN)
    make_user(Role.OPERATOR, username="wang.dm")
    db.session.commit()
    response = client.post("/admin/users/new", data=NEW_STAFF | {"role": "operator"})
    assert response.status_code == 422
    assert 'id="username-error"' in response.get_data(as_text=True)
    assert _users() == 2 and not _audit("user.create")


def test_agency_roles_need_an_active_agency(client, signed_in, make_agency):
    signed_in(Role.ADMIN)
    closed = make_agency(active=False)
    db.session.commit()
    response = client.post("/admin/users/new", data=NEW_STAFF)
    assert response.status_code == 422 and 'id="agency-error"' in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data=NEW_STAFF | {"agency": closed.id})
    assert response.status_code == 422 and 'id="agency-error"' in response.get_data(as_text=True)
    assert _users() == 1


def test_mismatched_password_confirmation_is_refused(client, signed_in):
    signed_in(Role.ADMIN)
    response = client.post("/admin/users/new", data=NEW_STAFF | {"role": "operator", "confirm": "something-else"})
    assert response.status_code == 422 and 'id="confirm-error"' in response.get_data(as_text=True)
    assert _users() == 1


def test_admin_edits_a_user_and_the_audit_keeps_only_what_changed(client, signed_in, make_user, make_agency):
    admin = signed_in(Role.ADMIN)
    user = make_user(Role.OPERATOR, display_name="林小姐", email="lin@kcg.gov.tw")
    agency = make_agency(code="TB")
    db.session.commit()
    response = client.post(f"/admin/users/{user.id}", data={
        "display_name": "林小姐", "email": "lin@kcg.gov.tw", "phone": "0912345678", "role": "agency_supervisor",
        "agency": agency.id, "locale": ""})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.role, user.agency_id, user.phone) == (Role.AGENCY_SUPERVISOR, agency.id, "0912345678")
    [entry] = _audit("user.update")
    assert entry.actor_id == admin.id
    assert entry.before == {"phone": None, "role": "operator", "agency": None}
    assert entry.after == {"phone": "0912345678", "role": "agency_supervisor", "agency": "TB"}


def test_saving_an_unchanged_user_writes_no_audit_entry(client, signed_in, make_user):
    signed_in(Role.ADMIN)
    user = make_user(Role.MANAGER, display_name="張")
    db.session.commit()
    client.post(f"/admin/users/{user.id}", data={"display_name": "張", "role": "manager", "locale": ""})
    assert not _audit("user.update")


def test_a_staff_member_may_keep_an_agency_that_was_deactivated_since(client, signed_in, make_user, make_agency):
    signed_in(Role.ADMIN)
    agency = make_agency()
    user = make_user(Role.AGENCY_STAFF, agency=agency)
    agency.active = False
    db.session.commit()
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert f'<option selected value="{agency.id}">' in page
    response = client.post(f"/admin/users/{user.id}", data={"display_name": "new name", "role": "agency_staff",
                                                            "agency": agency.id, "locale": ""})
    assert response.status_code == 302


def test_admins_cannot_demote_or_deactivate_themselves(client, signed_in):
    admin = signed_in(Role.ADMIN, display_name="Root")
    response = client.post(f"/admin/users/{admin.id}", data={"display_name": "Root", "role": "operator",
                                                             "locale": ""})
    assert response.status_code == 422 and 'id="role-error"' in response.get_data(as_text=True)
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN and admin.active


def test_a_deactivated_user_cannot_sign_in_until_reactivated(client, app, signed_in, make_user):
    signed_in(Role.ADMIN)
    leaver = make_user(Role.OPERATOR)
    db.session.commit()
    assert client.post(f"/admin/users/{leaver.id}/active", data={"active": "0"}).status_code == 302
    other = app.test_client()
    assert other.post("/login", data={"username": leaver.username, "password": "correct-horse-battery"}
                      ).status_code == 401
    client.post(f"/admin/users/{leaver.id}/active", data={"active": "1"})
    assert other.post("/login", data={"username": leaver.username, "password": "correct-horse-battery"}
                      ).status_code == 302
    assert [entry.action for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))] == [
        "user.deactivate", "user.reactivate"]


def test_admin_unlocks_a_throttled_user(client, signed_in, make_user):
    signed_in(Role.ADMIN)
    user = make_user(Role.OPERATOR)
    db.session.commit()
    for _ in range(20):  # a wait of the full 15 minutes: the page is sure to show it
        record_sign_in_failure(user.username, "203.0.113.9", now=utcnow())
    assert "登入須等到" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    client.post(f"/admin/users/{user.id}/unlock")
    assert sign_in_failures(FailureKind.ACCOUNT, user.username, now=utcnow()) is None
    [entry] = _audit("sign_in_throttle.clear")
    assert (entry.entity_type, entry.entity_id) == ("sign_in_account", user.username)


def test_the_user_list_searches_filters_and_pages(client, signed_in, make_user, make_agency):
    signed_in(Role.ADMIN, username="root")
    agency = make_agency()
    make_user(Role.AGENCY_STAFF, agency=agency, username="chen", display_name="陳承辦")
    make_user(Role.OPERATOR, username="lin", display_name="林話務")
    gone = make_user(Role.OPERATOR, username="huang", display_name="黃話務")
    gone.active = False
    db.session.commit()

    def usernames(query: str) -> list[str]:
        page = client.get(f"/admin/users?{query}").get_data(as_text=True)
        return [name for name in ("root", "chen", "lin", "huang") if f">{name}</a>" in page]

    assert usernames("q=話務") == ["lin", "huang"]
    assert usernames("q=CHE") == ["chen"]
    assert usernames("role=operator") == ["lin", "huang"]
    assert usernames(f"agency={agency.id}") == ["chen"]
    assert usernames("status=inactive") == ["huang"]
    assert usernames("role=janitor") == ["root", "chen", "lin", "huang"]  # a bad filter filters nothing


def test_the_user_list_shows_the_last_sign_in(client, signed_in, make_user):
    signed_in(Role.ADMIN)
    user = make_user(Role.OPERATOR)
    user.last_login_at = utcnow().replace(year=2026, month=3, day=2, hour=1, minute=30)
    db.session.commit()
    assert "2026-03-02 09:30" in client.get("/admin/users").get_data(as_text=True)  # shown in Asia/Taipei
