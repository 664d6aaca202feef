"""Who reaches which administration page: admins users, agencies and keys; managers categories and audit."""
import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import ApiToken, Role
from casehub.auth.services import issue_api_key, issue_token
from casehub.extensions import db

ADMINS = {Role.ADMIN}
MANAGERS = {Role.MANAGER, Role.ADMIN}
PAGES = [
    ("GET", "/admin/", MANAGERS),
    ("GET", "/admin/users", ADMINS),
    ("GET", "/admin/users/new", ADMINS),
    ("GET", "/admin/users/{user}", ADMINS),
    ("POST", "/admin/users/{user}", ADMINS),
    ("GET", "/admin/users/{user}/password", ADMINS),
    ("POST", "/admin/users/{user}/unlock", ADMINS),
    ("POST", "/admin/users/{user}/active", ADMINS),
    ("GET", "/admin/agencies", ADMINS),
    ("GET", "/admin/agencies/new", ADMINS),
    ("GET", "/admin/agencies/{agency}", ADMINS),
    ("POST", "/admin/agencies/{agency}/active", ADMINS),
    ("GET", "/admin/categories", MANAGERS),
    ("GET", "/admin/categories/new", MANAGERS),
    ("GET", "/admin/categories/{category}", MANAGERS),
    ("POST", "/admin/categories/{category}/active", MANAGERS),
    ("GET", "/admin/api-keys", ADMINS),
    ("POST", "/admin/api-keys", ADMINS),
    ("POST", "/admin/api-keys/{key}/revoke", ADMINS),
    ("GET", "/admin/tokens", ADMINS),
    ("POST", "/admin/tokens/{token}/revoke", ADMINS),
    ("GET", "/admin/sign-in-throttle", ADMINS),
    ("GET", "/admin/audit", MANAGERS),
]


@pytest.fixture
def targets(make_user, make_category):
    """One of each thing the pages act on; returns the ids their URLs need."""
    category = make_category()
    api_key, _plain = issue_api_key("測試 App", None)
    user = make_user(Role.OPERATOR)
    issue_token(user)
    db.session.commit()
    return {"user": user.id, "agency": category.default_agency_id, "category": category.id, "key": api_key.id,
            "token": db.session.scalar(sa.select(ApiToken.id))}


def _audit_entries() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))


@pytest.mark.parametrize("method,url,allowed", PAGES, ids=[f"{m} {u}" for m, u, _a in PAGES])
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_reaches_only_its_administration_pages(client, signed_in, targets, role, method, url, allowed):
    signed_in(role)
    entries_before = _audit_entries()
    response = client.open(url.format(**targets), method=method)
    if role in allowed:
        assert response.status_code in (200, 302, 422), response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403
        assert _audit_entries() == entries_before  # a refused request changes nothing


@pytest.mark.parametrize("method,url,_allowed", PAGES, ids=[f"{m} {u}" for m, u, _a in PAGES])
def test_signed_out_visitors_are_sent_to_sign_in(client, targets, method, url, _allowed):
    response = client.open(url.format(**targets), method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role,shown", [(role, role in MANAGERS) for role in Role], ids=[r.value for r in Role])
def test_the_administration_link_is_shown_to_managers_and_admins_only(client, signed_in, role, shown):
    signed_in(role)
    assert ('href="/admin/"' in client.get("/").get_data(as_text=True)) is shown


def test_admin_forms_refuse_a_post_without_csrf_token(app, make_user, login, client):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/admin/agencies/new", data={"code": "NEW", "name_zh": "新局", "name_en": "New",
                                                            "kind": "bureau"})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _audit_entries() == 0
