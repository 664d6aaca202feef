"""Web sessions live on the server: signing out, a password change, idleness and age end them."""
from datetime import timedelta

import sqlalchemy as sa

from casehub.auth.models import Role, UserSession
from casehub.auth.services import create_user, session_for_key, start_session
from casehub.auth.throttle import FailureKind, forget_sign_in_failures
from casehub.extensions import db
from tests.conftest import IsolatedClient

PASSWORD = "correct-horse-battery"


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(client, cookie: str) -> int:
    """Put a copied session cookie back, as an attacker holding it would, and open the case list."""
    client.set_cookie("session", cookie)
    return client.get("/cases/").status_code


def test_a_cookie_replayed_after_signing_out_opens_nothing(client, make_user, login, clock):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    login(user)
    cookie = _session_cookie(client)
    assert client.get("/cases/").status_code == 200
    client.post("/logout")
    assert _replay(client, cookie) == 302
    assert client.get("/cases/").headers["Location"].startswith("/login")
    [user_session] = db.session.scalars(sa.select(UserSession))
    assert user_session.ended_at == clock.now


def test_changing_the_password_ends_every_other_session(app, client, make_user, login, clock):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    other_desk = app.test_client()
    other_desk.post("/login", data={"username": user.username, "password": PASSWORD})
    stolen = _session_cookie(other_desk)
    login(user)
    response = client.post("/password", data={"current_password": PASSWORD, "new_password": "My-Own-Lotus-Pond",
                                              "confirm": "My-Own-Lotus-Pond"})
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200  # the session that changed it goes on
    assert _replay(other_desk, stolen) == 302


def test_an_administrators_password_reset_ends_every_session(app, client, make_user, login, clock):
    user = make_user(Role.OPERATOR)
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(user)
    cookie = _session_cookie(client)
    admin_client = app.test_client()
    admin_client.post("/login", data={"username": admin.username, "password": PASSWORD})
    admin_client.post(f"/admin/users/{user.id}/password",
                      data={"password": "Temporary-Lotus-1", "confirm": "Temporary-Lotus-1"})
    assert _replay(client, cookie) == 302


def test_sign_out_everywhere_ends_this_and_every_other_session(app, client, make_user, login, clock):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    other_desk = app.test_client()
    other_desk.post("/login", data={"username": user.username, "password": PASSWORD})
    login(user)
    page = client.get("/account").get_data(as_text=True)
    sessions_table = page[page.index('data-testid="sessions"'):].split("</table>")[0]
    assert sessions_table.count("<tr>") == 1 + 2  # the header, and a row for each desk
    response = client.post("/logout/everywhere")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/cases/").status_code == 302
    assert other_desk.get("/cases/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(UserSession.ended_at.is_(None))) == 0


def test_an_idle_session_ends_after_the_idle_timeout(app, client, make_user, login, clock):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    login(user)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    clock.advance(seconds=idle.total_seconds() - 60)
    assert client.get("/cases/").status_code == 200  # still there, and seen again now
    clock.advance(seconds=idle.total_seconds() - 60)
    assert client.get("/cases/").status_code == 200
    clock.advance(seconds=idle.total_seconds())
    assert client.get("/cases/").status_code == 302


def test_no_session_outlives_its_lifetime_however_busy(app, client, make_user, login, clock):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    login(user)
    lifetime = timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
    for _ in range(int(lifetime / timedelta(minutes=30)) - 1):
        clock.advance(minutes=30)
        assert client.get("/cases/").status_code == 200
    clock.advance(minutes=30)
    assert client.get("/cases/").status_code == 302


def test_the_defaults_fit_a_shift(app):
    assert 30 <= app.config["SESSION_IDLE_MINUTES"] <= 60
    assert app.config["SESSION_LIFETIME_HOURS"] == 12


def test_last_seen_is_written_at_most_once_a_minute(app, make_user, clock):
    user = make_user()
    start = clock.now
    key = start_session(user, now=start, user_agent="test", remote_addr="10.0.0.1")
    db.session.commit()
    assert session_for_key(key, now=start + timedelta(seconds=59)).last_seen_at == start
    assert not db.session.dirty
    assert session_for_key(key, now=start + timedelta(seconds=61)).last_seen_at == start + timedelta(seconds=61)


def test_a_deactivated_users_session_opens_nothing(client, make_user, login, clock):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    login(user)
    user.active = False
    db.session.commit()
    assert client.get("/cases/").status_code == 302


def test_sessions_and_the_throttle_work_on_the_embedded_database(embedded_app):
    embedded_app.test_client_class = IsolatedClient
    client = embedded_app.test_client()
    user = create_user(username="lin", password=PASSWORD, role="operator")
    db.session.commit()
    for _ in range(embedded_app.config["LOGIN_FREE_FAILURES"]):
        client.post("/login", data={"username": "lin", "password": "wrong-password"})
    assert client.post("/login", data={"username": "lin", "password": PASSWORD}).status_code == 429
    forget_sign_in_failures(FailureKind.ADDRESS, "127.0.0.1")
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    cookie = _session_cookie(client)
    assert client.get("/cases/").status_code == 200
    client.post("/logout/everywhere")
    assert _replay(client, cookie) == 302
