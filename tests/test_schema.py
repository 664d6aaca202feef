"""The migrations build exactly the schema the models describe, on PostgreSQL and on SQLite."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from casehub.cases.models import CaseEvent
from casehub.extensions import db
from casehub.models import AppendOnlyViolation


def _pending_differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_postgres_migrations_match_models(app):
    with db.engine.connect() as connection:
        assert _pending_differences(connection) == []


def test_migrations_apply_on_an_empty_sqlite_file(embedded_app):
    with db.engine.connect() as connection:
        assert _pending_differences(connection) == []
        assert "cases" in sa.inspect(connection).get_table_names()


def test_times_are_stored_in_utc_and_come_back_aware(app, make_case):
    taipei = timezone(timedelta(hours=8))
    case = make_case(received_at=datetime(2026, 11, 26, 23, 10, tzinfo=taipei))
    db.session.commit()
    db.session.expire_all()
    assert case.received_at == datetime(2026, 11, 26, 15, 10, tzinfo=timezone.utc)
    assert case.received_at.tzinfo is not None


def test_naive_datetimes_are_refused(app, make_case):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        make_case(received_at=datetime(2026, 11, 26, 23, 10))
    db.session.rollback()


def test_case_events_are_append_only(app, make_case):
    case = make_case()
    db.session.commit()
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == case.id))
    event.details = {"rewritten": True}
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CaseEvent, event.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


def test_agency_roles_need_an_agency_at_database_level(app, make_user):
    user = make_user()
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("UPDATE users SET role = 'agency_staff' WHERE id = :id"), {"id": user.id})
    db.session.rollback()
