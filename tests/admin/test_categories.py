"""Categories: managers keep the catalogue, its agencies, SLA policies and Open311 questions."""
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role
from casehub.cases.models import Channel
from casehub.cases.services import open_case
from casehub.directory.models import CaseKind, Category, Open311Type
from casehub.directory.schemas import load_open311_attributes
from casehub.errors import DomainError
from casehub.extensions import db

LANE_QUESTION = {"code": "lane", "datatype": "singlevaluelist", "required": True, "description": "哪一個車道？",
                 "order": 1, "values": [{"key": "left", "name": "左"}, {"key": "right", "name": "右"}]}


@pytest.fixture
def references(make_agency, make_policy):
    """An active agency and SLA policy a new category can use."""
    agency = make_agency(code="PWB-MAINT")
    policy = make_policy(code="hazard_4h")
    db.session.commit()
    return agency, policy


def _form(agency, policy, **overrides) -> dict:
    return {"code": "sidewalk_damage", "name_zh": "人行道破損", "name_en": "Damaged sidewalk", "kind": "dispatch",
            "default_agency": agency.id, "sla_policy": policy.id, "is_public": "y", "group": "道路 / Roads",
            "keywords": "人行道, 破損，地磚、sidewalk", "sort_order": "35", "description": "",
            "open311_type": "realtime", "open311_attributes": json.dumps([LANE_QUESTION])} | overrides


def _categories() -> int:
    return db.session.scalar(sa.select(sa.func.count(Category.id)))


def test_manager_adds_a_category_and_its_next_case_is_routed_and_timed_by_it(client, signed_in, references):
    manager = signed_in(Role.MANAGER)
    agency, policy = references
    response = client.post("/admin/categories/new", data=_form(agency, policy))
    assert response.status_code == 302, response.get_data(as_text=True)
    category = db.session.scalar(sa.select(Category).where(Category.code == "sidewalk_damage"))
    assert (category.default_agency, category.sla_policy, category.kind) == (agency, policy, CaseKind.DISPATCH)
    assert category.keywords == ["人行道", "破損", "地磚", "sidewalk"]
    assert category.is_public and category.sort_order == 35 and category.open311_type is Open311Type.REALTIME
    assert category.open311_attributes == [LANE_QUESTION | {"variable": True, "datatype_description": ""}]
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.after["default_agency"], entry.after["sla_policy"]) == (
        "category.create", manager.id, "PWB-MAINT", "hazard_4h")
    received = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    case, _code = open_case(category=category, channel=Channel.PHONE, description="人行道地磚翹起", now=received)
    assert case.agency == agency and case.due_at == received + timedelta(hours=4)  # the four-hour hazard policy


@pytest.mark.parametrize("overrides,field", [
    ({"default_agency": ""}, "default_agency"),
    ({"sla_policy": ""}, "sla_policy"),
    ({"name_zh": ""}, "name_zh"),
    ({"code": "has spaces"}, "code"),
    ({"sort_order": ""}, "sort_order"),
    ({"open311_attributes": "[{"}, "open311_attributes"),
    ({"open311_attributes": '{"code": "lane"}'}, "open311_attributes"),
    ({"open311_attributes": json.dumps([LANE_QUESTION | {"values": []}])}, "open311_attributes"),
], ids=["no default agency", "no SLA policy", "no Chinese name", "bad code", "no order", "malformed JSON",
        "not a list", "list question without values"])
def test_bad_category_input_is_refused_beside_the_field_and_nothing_is_saved(
        client, signed_in, references, overrides, field):
    signed_in(Role.MANAGER)
    response = client.post("/admin/categories/new", data=_form(*references, **overrides))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _categories() == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0


def test_a_deactivated_agency_cannot_be_a_default_agency(client, signed_in, references, make_agency):
    signed_in(Role.MANAGER)
    closed = make_agency(active=False)
    db.session.commit()
    assert f'value="{closed.id}"' not in client.get("/admin/categories/new").get_data(as_text=True)
    response = client.post("/admin/categories/new", data=_form(references[0], references[1], default_agency=closed.id))
    assert response.status_code == 422 and 'id="default_agency-error"' in response.get_data(as_text=True)


def test_a_duplicate_code_is_refused(client, signed_in, references, make_category):
    signed_in(Role.MANAGER)
    make_category(code="sidewalk_damage")
    db.session.commit()
    response = client.post("/admin/categories/new", data=_form(*references))
    assert response.status_code == 422 and 'id="code-error"' in response.get_data(as_text=True)
    assert _categories() == 1


def test_editing_a_category_audits_what_changed(client, signed_in, references, make_category, make_agency):
    signed_in(Role.MANAGER)
    agency, policy = references
    category = make_category(default_agency=agency, sla_policy=policy, sort_order=5)
    other = make_agency(code="TB")
    db.session.commit()
    form = _form(other, policy, kind="dispatch", name_zh=category.name_zh, name_en=category.name_en,
                 group="", keywords="", sort_order="5", is_public="y", open311_attributes="[]")
    del form["code"]
    response = client.post(f"/admin/categories/{category.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(category)
    assert category.default_agency == other
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.before, entry.after) == (
        "category.update", {"default_agency": "PWB-MAINT"}, {"default_agency": "TB"})


def test_the_edit_page_shows_the_current_values(client, signed_in, references, make_category):
    signed_in(Role.MANAGER)
    agency, policy = references
    category = make_category(default_agency=agency, sla_policy=policy, keywords=["路燈", "不亮"],
                             open311_attributes=[LANE_QUESTION])
    db.session.commit()
    page = client.get(f"/admin/categories/{category.id}").get_data(as_text=True)
    assert f'<option selected value="{agency.id}">' in page and f'<option selected value="{policy.id}">' in page
    assert 'value="路燈, 不亮"' in page and "哪一個車道" in page


def test_deactivating_a_category_keeps_it(client, signed_in, make_category):
    signed_in(Role.MANAGER)
    category = make_category()
    db.session.commit()
    client.post(f"/admin/categories/{category.id}/active", data={"active": "0"})
    db.session.refresh(category)
    assert not category.active
    assert db.session.scalar(sa.select(AuditEntry.action)) == "category.deactivate"


def test_the_category_list_filters_by_kind_and_status(client, signed_in, make_category):
    signed_in(Role.MANAGER)
    make_category(code="pothole", kind=CaseKind.DISPATCH)
    make_category(code="petition_tax", kind=CaseKind.PETITION)
    make_category(code="old_item", kind=CaseKind.DISPATCH, active=False)
    db.session.commit()

    def codes(query: str) -> list[str]:
        page = client.get(f"/admin/categories?{query}").get_data(as_text=True)
        return [code for code in ("pothole", "petition_tax", "old_item") if f">{code}</a>" in page]

    assert codes("") == ["pothole", "petition_tax", "old_item"]
    assert codes("kind=dispatch") == ["pothole", "old_item"]
    assert codes("kind=dispatch&status=active") == ["pothole"]
    assert codes("q=TAX") == ["petition_tax"]


@pytest.mark.parametrize("attributes,message", [
    ([LANE_QUESTION | {"datatype": "colour"}], "1.datatype: Must be one of"),
    ([LANE_QUESTION | {"order": 0}], "1.order"),
    ([{"code": "note", "datatype": "string", "description": "備註", "order": 1,
       "values": [{"key": "a", "name": "A"}]}], "Only list questions have values"),
    ([LANE_QUESTION, LANE_QUESTION | {"order": 2}], "Codes used twice: lane"),
    ([LANE_QUESTION | {"values": [{"key": "x", "name": "X"}, {"key": "x", "name": "Y"}]}], "unique"),
    ([{"datatype": "string"}], "1.code: Missing data"),
])
def test_open311_attributes_are_validated(app, attributes, message):
    with pytest.raises(DomainError) as refused:
        load_open311_attributes(attributes)
    assert any(message in text for text in refused.value.fields["open311_attributes"]), refused.value.fields


def test_open311_attributes_come_back_in_their_order(app):
    note = {"code": "note", "datatype": "text", "description": "補充說明", "order": 2}
    loaded = load_open311_attributes([note, LANE_QUESTION])
    assert [attribute["code"] for attribute in loaded] == ["lane", "note"]
    assert loaded[1]["required"] is False and loaded[1]["values"] == []
