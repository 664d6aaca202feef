"""The staff banner: shown on every staff page while the SLA sweep or a message is late; cheap to ask."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.extensions import db
from casehub.health.models import Beat
from casehub.health.status import cached_operations_status
from casehub.models import utcnow

BANNER = 'data-testid="operations-banner"'


@pytest.fixture
def operator_page(client, make_user, login):
    """GET `path` as a signed-in operator; the page's HTML."""
    operator = make_user(Role.OPERATOR)
    db.session.commit()
    login(operator)

    def _get(path: str = "/cases/") -> str:
        response = client.get(path)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return _get


def test_no_banner_while_background_work_keeps_up(operator_page, beat, make_message):
    beat(Beat.SCHEDULER, 0)
    beat(Beat.SLA_SWEEP, 4)
    make_message(minutes=9)
    db.session.commit()
    assert BANNER not in operator_page()


def test_a_late_sweep_shows_the_banner_in_chinese_with_the_three_ages(operator_page, beat, make_message):
    beat(Beat.SCHEDULER, 1)
    beat(Beat.SLA_SWEEP, 20)
    make_message(minutes=3)
    db.session.commit()
    page = operator_page()
    assert BANNER in page
    assert "背景作業落後" in page
    assert "上次期限檢查：20 分鐘前" in page
    assert "最舊的待送訊息：3 分鐘前排入" in page
    assert "排程器心跳：1 分鐘前" in page


def test_an_old_pending_message_shows_the_banner_though_the_sweep_is_on_time(operator_page, beat, make_message):
    beat(Beat.SLA_SWEEP, 1)
    make_message(minutes=11)
    db.session.commit()
    page = operator_page("/notify/alerts")
    assert "最舊的待送訊息：11 分鐘前排入" in page
    assert "排程器沒有心跳" in page


def test_a_sweep_that_never_ran_shows_the_banner(operator_page):
    assert "期限檢查尚未執行過" in operator_page()


@pytest.mark.parametrize("role", [Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_every_staff_role_sees_it(client, make_user, login, role):
    user = make_user(role)
    db.session.commit()
    login(user)
    response = client.get("/notify/alerts")
    assert BANNER in response.get_data(as_text=True)


def test_citizens_never_see_it(client):
    assert BANNER not in client.get("/citizen/track").get_data(as_text=True)


def test_the_thresholds_are_settings(app, operator_page, beat, monkeypatch):
    beat(Beat.SLA_SWEEP, 20)
    monkeypatch.setitem(app.config, "SWEEP_LATE_MINUTES", 30)
    assert BANNER not in operator_page()


def test_the_status_is_read_in_one_query_and_kept_for_the_cache_time(app, beat, monkeypatch):
    monkeypatch.setitem(app.config, "OPERATIONS_STATUS_CACHE_SECONDS", 30)
    app.extensions.pop("operations_status", None)
    statements = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        now = utcnow()
        first = cached_operations_status(now)
        assert len(statements) == 1 and first.sweep_at is None
        beat(Beat.SLA_SWEEP, 0)
        statements.clear()
        assert cached_operations_status(now + timedelta(seconds=29)) is first
        assert statements == []
        assert cached_operations_status(now + timedelta(seconds=31)).sweep_at is not None
        assert len(statements) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
        app.extensions.pop("operations_status", None)
