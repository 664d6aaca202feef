"""Routing: ordered rules on category x district x keyword x attribute, falling back to the category's default."""
import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.routing.models import RoutingRule
from casehub.routing.services import create_rule, move_rule, route_case, set_rule_active, update_rule
from tests.sla import taipei

NOW = taipei(2026, 11, 26, 10)


@pytest.fixture
def city(make_agency, make_category, make_district, make_user):
    """A street-light category defaulting to the parks office, two districts and two district offices."""
    from types import SimpleNamespace

    parks, lingya_office, sanmin_office = make_agency(), make_agency(), make_agency()
    return SimpleNamespace(parks=parks, lingya_office=lingya_office, sanmin_office=sanmin_office,
                           street_light=make_category(default_agency=parks),
                           lingya=make_district(name_zh="苓雅區"), sanmin=make_district(name_zh="三民區"),
                           manager=make_user(Role.MANAGER))


def add_rule(city, name, agency, **conditions):
    data = {"name": name, "agency": agency.code, "category_id": city.street_light.id} | conditions
    return create_rule(data, actor=city.manager, now=NOW)


def test_first_matching_rule_in_order_wins_and_says_why(city):
    add_rule(city, "苓雅區路燈", city.lingya_office, district_id=city.lingya.id)
    add_rule(city, "苓雅區寬路", city.sanmin_office, district_id=city.lingya.id, attribute_name="road_width",
             attribute_value="20m")
    decision = route_case(city.street_light, district=city.lingya, description="路燈不亮",
                          attributes={"road_width": "20m"})
    assert decision.agency == city.lingya_office
    assert decision.rule.name == "苓雅區路燈"
    assert decision.explanation["matched"] == "rule"
    assert decision.explanation["conditions"] == {"category": city.street_light.code, "district": "苓雅區",
                                                  "keyword": None}


def test_keyword_and_attribute_conditions(city):
    add_rule(city, "寬路", city.sanmin_office, attribute_name="road_width", attribute_value="20M")
    add_rule(city, "電纜", city.lingya_office, keyword="電纜")
    assert route_case(city.street_light, district=None, description="路燈不亮",
                      attributes={"road_width": "20m"}).agency == city.sanmin_office
    assert route_case(city.street_light, district=None, description="路燈電纜垂落",
                      attributes={}).agency == city.lingya_office


def test_no_rule_matches_the_category_default(city):
    add_rule(city, "苓雅區路燈", city.lingya_office, district_id=city.lingya.id)
    decision = route_case(city.street_light, district=city.sanmin, description="路燈不亮", attributes={})
    assert (decision.agency, decision.rule) == (city.parks, None)
    assert decision.explanation == {"matched": "category_default", "category": city.street_light.code,
                                    "agency": city.parks.code, "agency_name": city.parks.name_zh, "passed_over": []}


def test_inactive_rules_and_agencies_are_skipped_and_refusing_agencies_not_suggested_again(city):
    inactive = add_rule(city, "停用", city.sanmin_office)
    set_rule_active(inactive, False, actor=city.manager, now=NOW)
    closed = add_rule(city, "裁撤", city.lingya_office)
    closed.agency.active = False
    add_rule(city, "三民", city.sanmin_office)
    decision = route_case(city.street_light, district=None, description="", attributes={},
                          exclude_agency_ids=(city.sanmin_office.id,))
    assert decision.agency == city.parks
    assert [(item["rule_name"], item["reason"]) for item in decision.explanation["passed_over"]] == [
        ("裁撤", "agency deactivated"), ("三民", "agency refused the case")]
    nothing_left = route_case(city.street_light, district=None, description="", attributes={},
                              exclude_agency_ids=(city.sanmin_office.id, city.parks.id))
    assert nothing_left.agency is None and nothing_left.explanation["matched"] == "none"


@pytest.mark.parametrize(("agency_code", "message"), [
    ("NOPE", "No agency has this code."),
    ("closed", "This agency is deactivated and takes no new cases."),
])
def test_a_rule_naming_an_unknown_or_deactivated_agency_is_refused(city, make_agency, agency_code, message):
    if agency_code == "closed":
        agency_code = make_agency(active=False).code
    with pytest.raises(DomainError) as refused:
        create_rule({"name": "x", "agency": agency_code}, actor=city.manager, now=NOW)
    assert refused.value.fields == {"agency": [message]}
    assert db.session.scalar(sa.select(sa.func.count(RoutingRule.id))) == 0


def test_edits_and_moves_are_audited(city):
    first = add_rule(city, "一", city.lingya_office)
    second = add_rule(city, "二", city.sanmin_office)
    move_rule(second, "up", actor=city.manager, now=NOW)
    assert (second.position, first.position) == (1, 2)
    move_rule(second, "up", actor=city.manager, now=NOW)  # already first: nothing moves
    update_rule(first, {"name": "一改", "agency": city.parks.code}, actor=city.manager, now=NOW)
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.action for entry in entries] == \
        ["routing_rule.create", "routing_rule.create", "routing_rule.move", "routing_rule.update"]
    update = entries[-1]
    assert update.before == {"name": "一", "agency": city.lingya_office.code, "category": city.street_light.code}
    assert update.after == {"name": "一改", "agency": city.parks.code, "category": None}
