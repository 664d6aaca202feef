"""The audit page: every administrative change, newest first, filterable; nothing can be edited or deleted."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.audit.services import apply_changes, audit_entries, record_audit
from casehub.auth.models import Role
from casehub.extensions import db
from casehub.models import AppendOnlyViolation


@pytest.fixture
def trail(make_user):
    """Three entries by two actors on two days (Taipei time)."""
    admin = make_user(Role.ADMIN, username="root", display_name="系統管理員")
    manager = make_user(Role.MANAGER, username="rdec", display_name="研考")
    record_audit(actor=admin, action="user.create", entity_type="user", entity_id=7, after={"username": "chen"},
                 now=datetime(2026, 3, 1, 15, 0, tzinfo=timezone.utc))  # 2 March, 23:00 in Taipei
    record_audit(actor=manager, action="category.update", entity_type="category", entity_id=3,
                 before={"name_zh": "路燈"}, after={"name_zh": "路燈不亮"},
                 now=datetime(2026, 3, 2, 17, 0, tzinfo=timezone.utc))  # 3 March, 01:00 in Taipei
    record_audit(actor=admin, action="user.deactivate", entity_type="user", entity_id=7,
                 before={"active": True}, after={"active": False}, now=datetime(2026, 3, 4, 2, 0, tzinfo=timezone.utc))
    db.session.commit()
    return admin, manager


def _actions(stmt) -> list[str]:
    return [entry.action for entry in db.session.scalars(stmt)]


def test_entries_come_newest_first_and_filter(app, trail):
    admin, manager = trail
    assert _actions(audit_entries()) == ["user.deactivate", "category.update", "user.create"]
    assert _actions(audit_entries(actor_id=manager.id)) == ["category.update"]
    assert _actions(audit_entries(entity_type="user")) == ["user.deactivate", "user.create"]
    assert _actions(audit_entries(action="user.create")) == ["user.create"]
    assert _actions(audit_entries(from_day=date(2026, 3, 3))) == ["user.deactivate", "category.update"]
    assert _actions(audit_entries(to_day=date(2026, 3, 2))) == ["user.create"]


def test_the_audit_page_shows_who_what_and_the_change(client, signed_in, trail):
    signed_in(Role.MANAGER)
    page = client.get("/admin/audit").get_data(as_text=True)
    rows = [page.index(f"<code>{action}</code>") for action in ("user.deactivate", "category.update", "user.create")]
    assert rows == sorted(rows)
    assert "系統管理員 (root)" in page and "2026-03-03 01:00" in page
    assert "<del>路燈</del> → <ins>路燈不亮</ins>" in page
    filtered = client.get(f"/admin/audit?actor_id={trail[1].id}&from_day=2026-03-03").get_data(as_text=True)
    assert "category.update" in filtered and "user.create</code>" not in filtered


def test_the_audit_page_pages(client, signed_in):
    admin = signed_in(Role.ADMIN)
    for n in range(55):
        record_audit(actor=admin, action="agency.update", entity_type="agency", entity_id=n)
    db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    assert first.count("agency.update</code>") == 50 and 'rel="next"' in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert second.count("agency.update</code>") == 5 and 'rel="prev"' in second


def test_entries_cannot_be_changed_or_deleted(app, trail, client, signed_in):
    entry = db.session.scalar(sa.select(AuditEntry).limit(1))
    entry.action = "nothing.happened"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(AuditEntry).limit(1)))
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    signed_in(Role.ADMIN)
    assert client.post("/admin/audit").status_code == 405


def test_apply_changes_reports_only_real_changes(app, make_agency):
    agency = make_agency(name_zh="舊", email="a@kcg.gov.tw")
    before, after = apply_changes(agency, {"name_zh": "新", "email": "a@kcg.gov.tw"})
    assert (before, after, agency.name_zh) == ({"name_zh": "舊"}, {"name_zh": "新"}, "新")
