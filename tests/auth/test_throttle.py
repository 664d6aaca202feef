"""The sign-in throttle: a wait that grows with each failure, which cannot keep the operator on shift out."""
from datetime import timedelta

import pytest
from redis import Redis

from casehub.auth.models import Role
from casehub.auth.services import authenticate, start_session
from casehub.auth.throttle import FailureKind, SignInThrottled, record_sign_in_failure, sign_in_failures
from casehub.errors import DomainError
from casehub.extensions import db

PASSWORD = "correct-horse-battery"
ATTACKER, DESK = "203.0.113.9", "10.20.0.31"


def _fail(username: str, address: str, now) -> None:
    with pytest.raises(DomainError) as refused:
        authenticate(username, "wrong-password", address=address, now=now)
    assert refused.value.code == "invalid_credentials"


def _post(client, username: str, password: str, address: str):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_wait_doubles_with_each_failure_past_the_free_ones(app, make_user, clock):
    user = make_user()
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(free):
        _fail(user.username, ATTACKER, clock.now)
    waits = []
    for _ in range(4):
        with pytest.raises(SignInThrottled) as throttled:
            authenticate(user.username, PASSWORD, address=ATTACKER, now=clock.now)
        waits.append(throttled.value.retry_at - clock.now)
        clock.now = throttled.value.retry_at  # the first moment it is allowed again
        _fail(user.username, ATTACKER, clock.now)
    assert waits == [timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=8)]
    assert sign_in_failures(FailureKind.ACCOUNT, user.username, now=clock.now).count == free + 4


def test_the_wait_is_capped(app, make_user, clock):
    user = make_user()
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 40):
        record_sign_in_failure(user.username, ATTACKER, now=clock.now)
    with pytest.raises(SignInThrottled) as throttled:
        authenticate(user.username, PASSWORD, address=ATTACKER, now=clock.now)
    assert throttled.value.retry_at - clock.now == timedelta(seconds=app.config["LOGIN_MAX_DELAY_SECONDS"])


def test_failures_are_forgotten_after_the_window(app, make_user, clock):
    user = make_user()
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 5):
        record_sign_in_failure(user.username, ATTACKER, now=clock.now)
    later = clock.now + timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"], seconds=1)
    assert authenticate(user.username, PASSWORD, address=ATTACKER, now=later) == user


def test_an_attacker_cannot_keep_the_operator_out_from_an_address_that_has_not_failed(client, make_user, clock):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    for _ in range(30):
        _post(client, user.username, "wrong-password", ATTACKER)
    refused = _post(client, user.username, PASSWORD, ATTACKER)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "登入失敗次數過多" in refused.get_data(as_text=True)
    assert _post(client, user.username, PASSWORD, DESK).status_code == 302


def test_the_operators_usual_desk_gets_in_even_after_a_typo(client, make_user, clock):
    user = make_user(Role.OPERATOR)
    start_session(user, now=clock.now - timedelta(days=1), user_agent=None, remote_addr=DESK)
    db.session.commit()
    for _ in range(30):
        _post(client, user.username, "wrong-password", ATTACKER)
    assert _post(client, user.username, "wrong-passwrod", DESK).status_code == 401
    assert _post(client, user.username, PASSWORD, DESK).status_code == 302


def test_a_new_address_that_has_failed_waits_for_a_guessed_account(app, make_user, clock):
    user = make_user()
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 3):
        record_sign_in_failure(user.username, ATTACKER, now=clock.now)
    second_attacker = "198.51.100.7"
    _fail("someone-else", second_attacker, clock.now)
    with pytest.raises(SignInThrottled):
        authenticate(user.username, PASSWORD, address=second_attacker, now=clock.now)


def test_an_address_guessing_many_accounts_waits_for_all_of_them(app, make_user, clock):
    user = make_user()
    for n in range(app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"]):
        record_sign_in_failure(f"guess{n}", ATTACKER, now=clock.now)
    with pytest.raises(SignInThrottled):
        authenticate(user.username, PASSWORD, address=ATTACKER, now=clock.now)
    assert authenticate(user.username, PASSWORD, address=DESK, now=clock.now) == user


def test_unknown_and_real_usernames_are_throttled_alike(client, make_user, clock):
    make_user(username="chen")
    db.session.commit()
    answers = []
    for username in ("chen", "nobody"):
        for _ in range(5):
            _post(client, username, "wrong-password", ATTACKER)
        response = _post(client, username, "wrong-password", ATTACKER)
        answers.append((response.status_code, response.get_data(as_text=True).replace(username, "")))
    assert answers[0] == answers[1] and answers[0][0] == 429


def test_a_good_sign_in_forgets_the_accounts_failures(app, make_user, clock):
    user = make_user()
    for _ in range(3):
        _fail(user.username, DESK, clock.now)
    authenticate(user.username, PASSWORD, address=DESK, now=clock.now)
    assert sign_in_failures(FailureKind.ACCOUNT, user.username, now=clock.now) is None
    assert sign_in_failures(FailureKind.ADDRESS, DESK, now=clock.now).count == 3


def test_while_redis_is_down_failures_are_counted_in_memory(app, make_user, clock):
    user = make_user()
    redis = app.extensions["redis"]
    app.extensions["redis"] = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        for _ in range(app.config["LOGIN_FREE_FAILURES"]):
            _fail(user.username, ATTACKER, clock.now)
        with pytest.raises(SignInThrottled):
            authenticate(user.username, PASSWORD, address=ATTACKER, now=clock.now)
        assert authenticate(user.username, PASSWORD, address=DESK, now=clock.now) == user
    finally:
        app.extensions["redis"] = redis
    # Counted during the outage, the failures still count once Redis is back.
    assert sign_in_failures(FailureKind.ADDRESS, ATTACKER, now=clock.now).count == app.config["LOGIN_FREE_FAILURES"]
    app.extensions.pop("sign_in_failures")


def test_admins_see_throttled_accounts_and_addresses_and_clear_them(client, login, make_user, clock):
    user = make_user(username="lin")
    admin = make_user(Role.ADMIN)
    db.session.commit()
    for _ in range(8):
        record_sign_in_failure("lin", ATTACKER, now=clock.now)
    login(admin)
    page = client.get("/admin/sign-in-throttle").get_data(as_text=True)
    assert "<code>lin</code>" in page and f"<code>{ATTACKER}</code>" in page
    assert page.count('class="badge warn"') == 1  # the account waits; the address has 12 free failures left
    assert "<td>8</td>" in page
    user_page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "登入須等到" in user_page
    client.post("/admin/sign-in-throttle/clear", data={"kind": "account", "value": "lin"})
    assert sign_in_failures(FailureKind.ACCOUNT, "lin", now=clock.now) is None
    assert sign_in_failures(FailureKind.ADDRESS, ATTACKER, now=clock.now).count == 8
    assert client.post("/admin/sign-in-throttle/clear", data={"kind": "bogus", "value": "x"}).status_code == 400


def test_only_admins_see_the_throttle(client, login, make_user):
    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    assert client.get("/admin/sign-in-throttle").status_code == 403
    assert client.post("/admin/sign-in-throttle/clear", data={"kind": "account", "value": "x"}).status_code == 403
