"""Who sees a reporter's personal data, on every surface: the role x surface matrix, and the log of full views.

Only those who answer the citizen (operators, the handling agency's staff and supervisors) may see it in full,
and only by asking, which is logged. Everyone else, another agency's staff included, sees it masked or not at
all; the public Open311 reads never carry it.
"""
import json

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.auth.services import issue_token
from casehub.cases.models import Channel, PersonalDataView
from casehub.cases.services import open_case, perform_action
from casehub.directory.models import CaseKind
from casehub.extensions import db
from casehub.intake.models import Call, CallOutcome
from casehub.models import utcnow

DESCRIPTION = "九如一路一百號五樓前坑洞，請回電0912-345-678，身分證A123456789，信箱ming@example.tw"
ADDRESS = "高雄市三民區九如一路一百號五樓"
REPORTER = {"name": "王小明", "phone": "0912345678", "email": "ming@example.tw", "contact_preference": "email"}
NOTE = "已聯絡本人，手機0912345678"
# Any of these in an answer is the reporter's personal data.
PERSONAL = ("王小明", "0912345678", "0912-345-678", "A123456789", "ming@example.tw", "一百號", "五樓")

ROLES = ["operator", "manager", "admin", "own_agency_staff", "own_agency_supervisor", "other_agency_staff",
         "anonymous"]
# surface -> (path, whether it is a request to see personal data in full)
SURFACES = {
    "inbox": ("/cases/", False),
    "case_page": ("/cases/{number}", False),
    "case_page_reveal": ("/cases/{number}?reveal=1", True),
    "api_case": ("/api/v1/cases/{number}", False),
    "api_case_include_reporter": ("/api/v1/cases/{number}?include=reporter", True),
    "api_case_list": ("/api/v1/cases", False),
    "open311_request": ("/open311/v2/requests/{number}.json", False),
    "open311_requests": ("/open311/v2/requests.json", False),
    "open311_request_xml": ("/open311/v2/requests/{number}.xml", False),
}
# Who may see the reporter in full, by asking (and being logged).
ALLOWED_IN_FULL = {"operator", "own_agency_staff", "own_agency_supervisor"}


@pytest.fixture
def world(make_agency, make_category, make_user, make_district):
    own, other = make_agency(code="PWB-MAINT"), make_agency(code="EPB")
    district = make_district(code="sanmin", name_zh="三民區", name_en="Sanmin")
    category = make_category(code="pothole", default_agency=own)
    case, _code = open_case(category=category, channel=Channel.PHONE, description=DESCRIPTION, address=ADDRESS,
                            district=district, reporter=dict(REPORTER), now=utcnow())
    users = {
        "operator": make_user(Role.OPERATOR), "manager": make_user(Role.MANAGER), "admin": make_user(Role.ADMIN),
        "own_agency_staff": make_user(Role.AGENCY_STAFF, agency=own),
        "own_agency_supervisor": make_user(Role.AGENCY_SUPERVISOR, agency=own),
        "other_agency_staff": make_user(Role.AGENCY_STAFF, agency=other),
    }
    perform_action(case, "note", actor=users["own_agency_staff"], now=utcnow(), text=NOTE)
    db.session.commit()
    return case, users


def _get(app, user, path: str):
    """GET `path` as `user`: a signed-in browser for pages, a bearer token for the API, nobody for Open311."""
    client = app.test_client()
    if user is None:
        return client.get(path)
    if path.startswith("/api/"):
        token = issue_token(user)
        db.session.commit()
        return client.get(path, headers={"Authorization": f"Bearer {token}"})
    response = client.post("/login", data={"username": user.username, "password": "correct-horse-battery"})
    assert response.status_code == 302
    return client.get(path)


def _logged_views() -> int:
    return db.session.scalar(sa.select(sa.func.count(PersonalDataView.id)))


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("role", ROLES)
def test_personal_data_in_full_only_for_those_who_answer_the_citizen_and_logged(app, world, role, surface):
    case, users = world
    path, asks_in_full = SURFACES[surface]
    response = _get(app, users.get(role), path.format(number=case.number))
    body = json.dumps(response.json, ensure_ascii=False) if response.is_json else response.get_data(as_text=True)
    shown = [value for value in PERSONAL if value in body]
    if role in ALLOWED_IN_FULL and asks_in_full:
        assert response.status_code == 200
        assert "0912345678" in body and "一百號" in body and "A123456789" in body
        view = db.session.scalar(sa.select(PersonalDataView))
        assert (view.user_id, view.case_id, view.context) == (
            users[role].id, case.id, "api" if path.startswith("/api/") else "case_page")
        return
    assert shown == [], f"{role} saw {shown} on {surface}"
    assert _logged_views() == 0
    if role == "other_agency_staff" and "{number}" in path and not path.startswith("/open311"):
        assert response.status_code == 404  # another agency's case is not even confirmed to exist
    if role == "other_agency_staff" and surface in ("inbox", "api_case_list"):
        assert case.number not in body


def test_the_masked_case_keeps_what_the_work_needs(app, world):
    case, users = world
    page = _get(app, users["manager"], f"/cases/{case.number}").get_data(as_text=True)
    assert "九如一路***前坑洞，請回電***，身分證***，信箱***" in page
    assert "高雄市三民區九如一路***" in page and "已聯絡本人，手機***" in page
    api = _get(app, users["manager"], f"/api/v1/cases/{case.number}").json
    assert api["description"] == "九如一路***前坑洞，請回電***，身分證***，信箱***"
    assert api["address"] == "高雄市三民區九如一路***"
    assert [event["details"].get("text") for event in api["events"] if event["type"] == "note"] == ["已聯絡本人，手機***"]


def test_open311_gives_a_dispatch_road_and_section_and_a_petition_its_district_only(
        app, world, make_category, make_policy):
    case, _users = world
    document = _get(app, None, f"/open311/v2/requests/{case.number}.json").json[0]
    assert document["address"] == "高雄市三民區九如一路***"
    assert document["description"] == "九如一路***前坑洞，請回電***，身分證***，信箱***"
    petition, _code = open_case(category=make_category(code="petition_civil", kind=CaseKind.PETITION),
                                channel=Channel.MAYOR_MAILBOX, description="鄰居在五樓養狗，電話07-3368333",
                                address="高雄市三民區九如一路100號5樓", district=case.district, lat=22.64, lng=120.31,
                                reporter={"name": "李小姐"}, now=utcnow())
    db.session.commit()
    document = _get(app, None, f"/open311/v2/requests/{petition.number}.json").json[0]
    assert document["address"] == "三民區" and "lat" not in document and "long" not in document
    assert document["description"] == "鄰居在***養狗，電話***"


def test_calls_show_the_caller_masked_to_everyone(app, world):
    _case, users = world
    call = Call(operator_id=users["operator"].id, caller_phone="0912345678", started_at=utcnow(),
                outcome=CallOutcome.OTHER, summary="來電者0912-345-678詢問九如一路一百號")
    db.session.add(call)
    db.session.commit()
    for role in ("operator", "manager"):
        body = _get(app, users[role], f"/api/v1/calls/{call.id}").json
        assert body["caller_phone"] == "0912***678"
        assert body["summary"] == "來電者***詢問九如一路***"
    assert _logged_views() == 0
