"""The routing-rule pages: an ordered list managers edit, move and deactivate, with a routing preview."""
import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role
from casehub.extensions import db
from casehub.routing.models import RoutingRule


@pytest.fixture
def street_lights(make_agency, make_category, make_district):
    """A street-light category of the parks office, 中正區, and its district office."""
    parks = make_agency(name_en="Parks and Street Lights Office")
    category = make_category(default_agency=parks, name_en="Street light out")
    district = make_district(name_zh="中正區", name_en="Zhongzheng District")
    office = make_agency(name_en="Zhongzheng District Office")
    db.session.commit()
    return category, district, office, parks


def rules() -> list[RoutingRule]:
    return db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.position)).all()


def add(client, category, agency, name, **extra):
    data = {"name": name, "category_id": category.id, "district_id": "", "agency": agency.code} | extra
    return client.post("/admin/routing/rules/new", data=data)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.AGENCY_STAFF, Role.AGENCY_SUPERVISOR])
def test_only_managers_and_admins_edit_routing(client, make_user, login, role):
    user = make_user(role)
    db.session.commit()
    login(user)
    assert client.get("/admin/routing/rules").status_code == 403
    assert client.post("/admin/routing/rules/new", data={"name": "x"}).status_code == 403


def test_manager_adds_moves_and_deactivates_rules_and_previews_where_a_case_goes(client, english_manager,
                                                                                 street_lights):
    category, district, office, parks = street_lights
    assert add(client, category, office, "中正區路燈", district_id=district.id).status_code == 302
    assert add(client, category, parks, "電纜", keyword="電纜").status_code == 302
    first, second = rules()
    page = client.get(f"/admin/routing/rules?category={category.id}&district={district.id}&description=路燈不亮")
    assert "A case of Street light out from Zhongzheng District would go to Zhongzheng District Office." \
        in page.get_data(as_text=True)
    assert "Rule 1, “中正區路燈”, sent it to" in page.get_data(as_text=True)

    client.post(f"/admin/routing/rules/{second.id}/move", data={"direction": "up"})
    assert [rule.name for rule in rules()] == ["電纜", "中正區路燈"]
    client.post(f"/admin/routing/rules/{first.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert not first.active
    page = client.get(f"/admin/routing/rules?category={category.id}&district={district.id}&description=路燈不亮")
    assert "would go to Parks and Street Lights Office" in page.get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["routing_rule.create", "routing_rule.create", "routing_rule.move", "routing_rule.deactivate"]


def test_a_rule_to_a_deactivated_agency_is_refused_beside_the_field(client, english_manager, street_lights,
                                                                   make_agency):
    category, _district, _office, _parks = street_lights
    closed = make_agency(active=False)
    db.session.commit()
    response = add(client, category, closed, "裁撤機關")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="agency-error"' in page and "This agency is deactivated and takes no new cases." in page
    response = client.post("/admin/routing/rules/new", data={"name": "x", "agency": "NO-SUCH-AGENCY"})
    assert "No agency has this code." in response.get_data(as_text=True)
    assert rules() == []


def test_rules_whose_agency_was_deactivated_afterwards_are_flagged(client, english_manager, street_lights):
    category, _district, office, _parks = street_lights
    add(client, category, office, "區公所")
    office.active = False
    db.session.commit()
    page = client.get("/admin/routing/rules").get_data(as_text=True)
    assert 'class="flagged"' in page and "Agency deactivated: rule skipped" in page


def test_editing_a_rule_keeps_its_place_and_is_audited(client, english_manager, street_lights):
    category, district, office, parks = street_lights
    add(client, category, office, "區公所")
    rule = rules()[0]
    response = client.post(f"/admin/routing/rules/{rule.id}", data={
        "name": "區公所（寬路除外）", "category_id": category.id, "district_id": district.id, "agency": parks.code,
        "attribute_name": "road_width", "attribute_value": ""})
    assert response.status_code == 422  # the value is missing
    assert "Give both the attribute and its value, or neither." in response.get_data(as_text=True)
    response = client.post(f"/admin/routing/rules/{rule.id}", data={
        "name": "區公所", "category_id": category.id, "district_id": district.id, "agency": parks.code})
    assert response.status_code == 302
    db.session.expire_all()
    assert (rule.district, rule.agency, rule.position) == (district, parks, 1)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "routing_rule.update"))
    assert entry.after == {"district": district.code, "agency": parks.code}
