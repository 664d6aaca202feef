import sqlalchemy as sa

from casehub.auth.models import User
from casehub.cases.models import Case
from casehub.directory.models import Agency, AgencyKind, Category, District
from casehub.extensions import db
from casehub.sla.models import SlaPolicy

SEEDED = (Agency, District, SlaPolicy, Category, User, Case)


def _snapshot() -> dict:
    """Every seeded row, column by column, so 'changes nothing' is checked exactly."""
    db.session.expire_all()
    snapshot = {}
    for model in SEEDED:
        columns = [c for c in model.__table__.columns if c.name not in ("password_hash",)]
        rows = db.session.execute(sa.select(*columns).order_by(model.__table__.primary_key.columns[0])).all()
        snapshot[model.__tablename__] = [tuple(row) for row in rows]
    return snapshot


def test_seed_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["casehub", "seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "password" in first.output
    once = _snapshot()
    second = runner.invoke(args=["casehub", "seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert "already exist" in second.output
    assert _snapshot() == once


def test_seed_loads_kaohsiung(app):
    app.test_cli_runner().invoke(args=["casehub", "seed", "--demo"])
    offices = db.session.scalars(sa.select(Agency).where(Agency.kind == AgencyKind.DISTRICT_OFFICE)).all()
    assert len(offices) == 38
    assert "高雄市鹽埕區公所" in {office.name_zh for office in offices}
    assert db.session.scalar(sa.select(sa.func.count(District.id))) == 38
    pothole = db.session.scalar(sa.select(Category).where(Category.name_zh == "市區道路坑洞處理"))
    assert (pothole.sla_policy.clock, pothole.sla_policy.resolution_target) == ("hours", 4)
    petition_groups = db.session.scalars(sa.select(Category.name_zh).where(Category.kind == "petition")).all()
    for group in ("民政", "社政", "財經", "教育", "農林", "交通", "警消環衛", "工務", "法規"):
        assert any(group in name for name in petition_groups), group
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == {"operator", "agency_staff", "agency_supervisor", "manager", "admin"}
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) > 0
