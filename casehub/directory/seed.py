"""Loading Kaohsiung's reference data (and, for demos, users and cases). Safe to run twice."""
import csv
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from casehub.auth.models import Role, User
from casehub.auth.services import create_user
from casehub.cases.models import Case, Channel
from casehub.cases.services import open_case
from casehub.directory import reference_data
from casehub.directory.models import Agency, AgencyKind, CaseKind, Category, District
from casehub.extensions import db
from casehub.models import utcnow
from casehub.sla.models import SlaPolicy

DISTRICT_OFFICES_CSV = Path(__file__).parent / "data" / "kaohsiung_district_offices.csv"

DEMO_USERS = [
    # username, display name, role, agency code, password
    ("operator", "陳怡君（示範話務）", Role.OPERATOR, None, "Kaohsiung-1999-ops"),
    ("staff", "林志明（示範承辦）", Role.AGENCY_STAFF, "PWB-MAINT", "Kaohsiung-1999-crew"),
    ("supervisor", "黃美玲（示範主管）", Role.AGENCY_SUPERVISOR, "PWB-MAINT", "Kaohsiung-1999-lead"),
    ("manager", "張家豪（示範研考）", Role.MANAGER, None, "Kaohsiung-1999-rdec"),
    ("admin", "系統管理員（示範）", Role.ADMIN, None, "Kaohsiung-1999-root"),
]


def _upsert(model, key: str, values: dict):
    """Insert the row whose `key` column matches, or bring an existing one up to date."""
    row = db.session.scalar(sa.select(model).where(getattr(model, key) == values[key]))
    if row is None:
        row = model(**values)
        db.session.add(row)
    else:
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    db.session.flush()
    return row


def seed_reference_data() -> dict[str, int]:
    """Agencies, district offices, districts, SLA policies and categories of Kaohsiung."""
    agencies = {}
    for item in reference_data.AGENCIES:
        agencies[item["code"]] = _upsert(Agency, "code", {
            "code": item["code"], "name_zh": item["name_zh"], "name_en": item["name_en"],
            "kind": AgencyKind(item["kind"]), "email": item["email"],
            "parent_id": agencies[item["parent"]].id if item["parent"] else None,
        })
    with DISTRICT_OFFICES_CSV.open(encoding="utf-8") as handle:
        office_names = {row["district"]: row["district_office"] for row in csv.DictReader(handle)}
    for order, item in enumerate(reference_data.DISTRICTS, start=1):
        office = _upsert(Agency, "code", {
            "code": item["office_code"], "name_zh": office_names[item["name_zh"]],
            "name_en": item["office_name_en"], "kind": AgencyKind.DISTRICT_OFFICE,
        })
        agencies[item["office_code"]] = office
        _upsert(District, "code", {
            "code": item["code"], "name_zh": item["name_zh"], "name_en": item["name_en"],
            "sort_order": order, "office_id": office.id,
        })
    policies = {item["code"]: _upsert(SlaPolicy, "code", dict(item)) for item in reference_data.SLA_POLICIES}
    for item in reference_data.CATEGORIES:
        _upsert(Category, "code", {
            "code": item["code"], "name_zh": item["name_zh"], "name_en": item["name_en"],
            "kind": CaseKind(item["kind"]), "default_agency_id": agencies[item["agency"]].id,
            "sla_policy_id": policies[item["sla_policy"]].id, "is_public": item["is_public"],
            "group": item["group"], "keywords": item["keywords"], "sort_order": item["sort_order"],
        })
    return {
        "agencies": len(agencies), "districts": len(reference_data.DISTRICTS),
        "sla_policies": len(policies), "categories": len(reference_data.CATEGORIES),
    }


def seed_demo_users() -> list[tuple[str, str, str]]:
    """One user per role; returns (username, role, password) for those created now."""
    created = []
    for username, display_name, role, agency_code, password in DEMO_USERS:
        if db.session.scalar(sa.select(User.id).where(User.username == username)) is None:
            create_user(username=username, password=password, role=role.value, agency_code=agency_code,
                        display_name=display_name)
            created.append((username, role.value, password))
    return created


DEMO_CASES = [
    # category code, district code, hours ago, description, address
    ("pothole", "sanmin", 1, "九如一路近建工路口有大坑洞，機車容易摔倒。", "高雄市三民區九如一路"),
    ("street_light", "lingya", 3, "路燈整排不亮，晚上很暗。", "高雄市苓雅區四維三路"),
    ("traffic_signal", "zuoying", 2, "號誌燈故障一直閃黃燈。", "高雄市左營區博愛二路與裕誠路口"),
    ("fallen_tree", "gushan", 5, "颱風過後路樹倒在人行道上。", "高雄市鼓山區美術館路"),
    ("bulky_waste", "fongshan", 30, "請協助清運舊沙發一組。", "高雄市鳳山區光遠路"),
    ("noise", "cianjin", 20, "深夜工地施工噪音。", "高雄市前金區中正四路"),
    ("petition_transport", "nanzih", 50, "建議增設公車班次往楠梓火車站。", None),
    ("petition_social", "renwu", 72, "詢問長照服務申請進度。", None),
]


def seed_demo_cases() -> int:
    """A handful of sample cases, created only while the database has none."""
    if db.session.scalar(sa.select(sa.func.count(Case.id))):
        return 0
    operator = db.session.scalar(sa.select(User).where(User.username == "operator"))
    now = utcnow()
    created = 0
    for category_code, district_code, hours_ago, description, address in DEMO_CASES:
        category = db.session.scalar(sa.select(Category).where(Category.code == category_code))
        district = db.session.scalar(sa.select(District).where(District.code == district_code))
        open_case(category=category, channel=Channel.PHONE, description=description, district=district,
                  address=address, received_at=now - timedelta(hours=hours_ago), created_by=operator,
                  reporter={"name": "王小明", "phone": "0912345678"}, now=now)
        created += 1
    return created
