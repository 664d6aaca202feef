"""API keys for Open311 apps: issued once, stored hashed, revocable, last use recorded."""
import re
from datetime import timedelta

import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import ApiKey, Role
from casehub.auth.services import api_key_for, issue_api_key, revoke_api_key
from casehub.extensions import db
from casehub.models import utcnow


def test_admin_issues_a_key_that_is_shown_once(client, signed_in):
    admin = signed_in(Role.ADMIN)
    response = client.post("/admin/api-keys", data={"name": "高雄 1999 App"})
    assert response.status_code == 200
    plain_key = re.search(r'data-testid="new-api-key">([^<]+)<', response.get_data(as_text=True)).group(1)
    stored = db.session.scalar(sa.select(ApiKey))
    assert stored.name == "高雄 1999 App" and stored.created_by_id == admin.id
    assert plain_key not in stored.key_hash and plain_key.startswith(stored.prefix)
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert stored.prefix in listing and plain_key not in listing
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "api_key.create" and plain_key not in str(entry.after)


def test_a_key_needs_a_name(client, signed_in):
    signed_in(Role.ADMIN)
    response = client.post("/admin/api-keys", data={"name": "  "})
    assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(ApiKey)) is None


def test_revoking_a_key_stops_it(client, signed_in):
    signed_in(Role.ADMIN)
    api_key, plain_key = issue_api_key("Old app", None)
    db.session.commit()
    now = utcnow()
    assert api_key_for(plain_key, now=now) == api_key and api_key.last_used_at == now
    db.session.commit()
    client.post(f"/admin/api-keys/{api_key.id}/revoke")
    db.session.refresh(api_key)
    assert api_key.revoked_at is not None
    assert api_key_for(plain_key, now=now) is None
    assert [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))] == [
        "api_key.create", "api_key.revoke"]


def test_revoking_twice_changes_nothing(app):
    api_key, _plain = issue_api_key("App", None)
    first = utcnow()
    revoke_api_key(api_key, None, now=first)
    revoke_api_key(api_key, None, now=first + timedelta(hours=1))
    assert api_key.revoked_at == first
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 2


def test_unknown_keys_are_refused(app):
    assert api_key_for("c311_not-a-key", now=utcnow()) is None


def test_cli_prints_a_working_key_once(app):
    result = app.test_cli_runner().invoke(args=["casehub", "create-api-key", "--name", "Partner app"])
    assert result.exit_code == 0, result.output
    plain_key = result.output.strip()
    assert api_key_for(plain_key, now=utcnow()).name == "Partner app"


def test_cli_refuses_an_empty_name(app):
    result = app.test_cli_runner().invoke(args=["casehub", "create-api-key", "--name", " "])
    assert result.exit_code == 1 and "needs a name" in result.output
    assert db.session.scalar(sa.select(ApiKey)) is None
