"""Bearer tokens: an expiry, the last use, and revoking by their owner, by an administrator and on the command line."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casehub.auth.models import ApiToken, Role
from casehub.auth.services import issue_token, user_for_token
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.models import utcnow

PASSWORD = "correct-horse-battery"


def _me(client, token: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["casehub", *args])


def test_an_expired_token_is_refused_with_a_401_in_the_api_envelope(client, make_user):
    user = make_user()
    token = issue_token(user, expires_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    response = _me(client, token)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_expired" and response.json["error"]["request_id"]


def test_a_token_works_until_it_expires(app, make_user):
    user = make_user()
    start = utcnow()
    token = issue_token(user, expires_at=start + timedelta(days=30))
    assert user_for_token(token, now=start + timedelta(days=29, hours=23)) == user
    with pytest.raises(DomainError) as refused:
        user_for_token(token, now=start + timedelta(days=30))
    assert (refused.value.code, refused.value.status) == ("token_expired", 401)


def test_last_use_is_written_at_most_once_a_minute(app, make_user):
    user = make_user()
    token = issue_token(user)
    start = utcnow()
    user_for_token(token, now=start)
    db.session.commit()
    user_for_token(token, now=start + timedelta(seconds=59))
    assert not db.session.dirty
    user_for_token(token, now=start + timedelta(seconds=61))
    assert db.session.scalar(sa.select(ApiToken)).last_used_at == start + timedelta(seconds=61)


def test_the_owner_lists_and_revokes_their_tokens_on_their_page(client, make_user, login):
    user = make_user(Role.AGENCY_STAFF)
    token = issue_token(user, name="nightly export")
    db.session.commit()
    _me(client, token)
    login(user)
    page = client.get("/account").get_data(as_text=True)
    assert "nightly export" in page and f"<code>{token[:12]}…</code>" in page
    assert token not in page  # the secret itself is never shown again
    api_token = db.session.scalar(sa.select(ApiToken))
    assert "從未" not in page.split('data-testid="tokens"')[1]  # its last use is shown
    client.post(f"/account/tokens/{api_token.id}/revoke")
    assert _me(client.application.test_client(), token).status_code == 401
    assert "已於" in client.get("/account").get_data(as_text=True)


def test_nobody_revokes_someone_elses_token_from_their_own_page(client, make_user, login):
    owner, other = make_user(), make_user()
    token = issue_token(owner)
    db.session.commit()
    login(other)
    api_token = db.session.scalar(sa.select(ApiToken))
    assert token[:12] not in client.get("/account").get_data(as_text=True)
    assert client.post(f"/account/tokens/{api_token.id}/revoke").status_code == 404
    db.session.refresh(api_token)
    assert api_token.revoked_at is None


def test_an_admin_lists_every_token_and_revokes_one(client, make_user, login):
    owner = make_user(username="lin")
    token = issue_token(owner, name="wallboard")
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(admin)
    for path in ("/admin/tokens", f"/admin/tokens?user={owner.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "wallboard" in page and token[:12] in page and token not in page
    api_token = db.session.scalar(sa.select(ApiToken))
    client.post(f"/admin/tokens/{api_token.id}/revoke")
    assert _me(client.application.test_client(), token).status_code == 401


def test_only_admins_see_everyones_tokens(client, make_user, login):
    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    assert client.get("/admin/tokens").status_code == 403


def test_changing_the_password_revokes_every_token(client, make_user, login):
    user = make_user()
    token = issue_token(user)
    db.session.commit()
    login(user)
    client.post("/password", data={"current_password": PASSWORD, "new_password": "My-Own-Lotus-Pond",
                                   "confirm": "My-Own-Lotus-Pond"})
    assert _me(client.application.test_client(), token).status_code == 401


def test_the_command_line_creates_an_expiring_token_lists_and_revokes_it(app, client, make_user):
    make_user(username="wallboard")
    db.session.commit()
    created = _cli(app, "create-token", "wallboard", "--name", "lobby screen", "--expires-days", "90")
    assert created.exit_code == 0
    token = created.output.strip()
    assert _me(client, token).status_code == 200
    stored = db.session.scalar(sa.select(ApiToken))
    assert timedelta(days=89) < stored.expires_at - utcnow() <= timedelta(days=90)

    listed = _cli(app, "list-tokens", "--user", "wallboard")
    assert listed.exit_code == 0 and token[:12] in listed.output and token not in listed.output
    assert "lobby screen" in listed.output and "active" in listed.output

    revoked = _cli(app, "revoke-token", token[:12])
    assert revoked.exit_code == 0 and "Revoked 1 token" in revoked.output
    assert _me(app.test_client(), token).status_code == 401
    assert "revoked" in _cli(app, "list-tokens").output


def test_the_command_line_revokes_every_token_of_a_user(app, make_user):
    user = make_user(username="leaver")
    tokens = [issue_token(user), issue_token(user)]
    db.session.commit()
    result = _cli(app, "revoke-token", "--user", "leaver")
    assert result.exit_code == 0 and "Revoked 2 token" in result.output
    assert all(_me(app.test_client(), token).status_code == 401 for token in tokens)


def test_the_command_line_refuses_what_it_cannot_revoke(app, make_user):
    assert _cli(app, "revoke-token", "chub_nothing").exit_code == 1
    assert _cli(app, "revoke-token").exit_code == 1
    assert _cli(app, "create-token", "x", "--expires-days", "0").exit_code == 2
