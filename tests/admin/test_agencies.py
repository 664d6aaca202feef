"""Agencies: the tree, adding, renaming, moving, contact details, deactivating with flagged routing rules."""
import pytest
import sqlalchemy as sa

from casehub.audit.models import AuditEntry
from casehub.auth.models import Role
from casehub.directory.models import Agency, AgencyKind
from casehub.directory.services import active_agency_or_error
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.routing.models import RoutingRule

NEW_UNIT = {"code": "pwb-lights", "name_zh": "路燈管理處", "name_en": "Street Lighting Office", "kind": "unit",
            "email": "lights@kcg.gov.tw", "sms_number": "0912345678"}


@pytest.fixture
def bureau(make_agency):
    return make_agency(code="PWB", name_zh="工務局", name_en="Public Works Bureau")


def test_the_tree_nests_units_under_their_bureau(client, signed_in, bureau, make_agency):
    signed_in(Role.ADMIN)
    make_agency(code="PWB-MAINT", name_zh="養護工程處", kind=AgencyKind.UNIT, parent=bureau)
    make_agency(code="D-SANMIN", name_zh="三民區公所", kind=AgencyKind.DISTRICT_OFFICE)
    db.session.commit()
    page = client.get("/admin/agencies").get_data(as_text=True)
    tree = page[page.index('<ul class="tree">'):]
    bureau_at, unit_at, office_at = (tree.index(name) for name in ("工務局", "養護工程處", "三民區公所"))
    assert bureau_at < unit_at and "<ul>" in tree[bureau_at:unit_at]  # the unit sits in the bureau's list
    assert office_at > 0


def test_admin_adds_a_unit_under_a_bureau(client, signed_in, bureau):
    admin = signed_in(Role.ADMIN)
    assert f'<option selected value="{bureau.id}">' in client.get(f"/admin/agencies/new?parent={bureau.id}").get_data(
        as_text=True)
    response = client.post("/admin/agencies/new", data=NEW_UNIT | {"parent": bureau.id})
    assert response.status_code == 302
    unit = db.session.scalar(sa.select(Agency).where(Agency.code == "PWB-LIGHTS"))
    assert (unit.parent, unit.kind, unit.sms_number, unit.active) == (bureau, AgencyKind.UNIT, "0912345678", True)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.after["parent"], entry.after["code"]) == (
        "agency.create", admin.id, "PWB", "PWB-LIGHTS")


def test_bad_agency_input_is_refused_beside_the_field(client, signed_in, bureau):
    signed_in(Role.ADMIN)
    for data, field in [({"code": "pwb"}, "code"), ({"email": "not-an-address"}, "email"),
                        ({"sms_number": "call me"}, "sms_number"), ({"name_zh": ""}, "name_zh")]:
        response = client.post("/admin/agencies/new", data=NEW_UNIT | data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == 1


def test_renaming_and_moving_an_agency_is_audited(client, signed_in, bureau, make_agency):
    signed_in(Role.ADMIN)
    unit = make_agency(code="U1", name_zh="舊名", name_en="Old name", kind=AgencyKind.UNIT, email="u1@kcg.gov.tw")
    db.session.commit()
    response = client.post(f"/admin/agencies/{unit.id}", data={
        "name_zh": "新名", "name_en": "Old name", "kind": "unit", "parent": bureau.id, "email": "u1@kcg.gov.tw"})
    assert response.status_code == 302
    db.session.refresh(unit)
    assert (unit.name_zh, unit.parent_id) == ("新名", bureau.id)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.before == {"name_zh": "舊名", "parent": None}
    assert entry.after == {"name_zh": "新名", "parent": "PWB"}


def test_an_agency_cannot_move_under_its_own_unit(client, signed_in, bureau, make_agency):
    signed_in(Role.ADMIN)
    unit = make_agency(code="U1", kind=AgencyKind.UNIT, parent=bureau)
    db.session.commit()
    response = client.post(f"/admin/agencies/{bureau.id}", data={
        "name_zh": bureau.name_zh, "name_en": bureau.name_en, "kind": "bureau", "parent": unit.id})
    assert response.status_code == 422 and 'id="parent-error"' in response.get_data(as_text=True)
    db.session.refresh(bureau)
    assert bureau.parent_id is None


def test_deactivating_an_agency_flags_the_rules_that_still_name_it(client, signed_in, bureau, make_category):
    signed_in(Role.ADMIN)
    category = make_category(default_agency=bureau, name_zh="路燈不亮")
    db.session.add(RoutingRule(position=1, name="三民區路燈", agency=bureau, category=category))
    db.session.commit()
    assert "三民區路燈" in client.get(f"/admin/agencies/{bureau.id}").get_data(as_text=True)
    response = client.post(f"/admin/agencies/{bureau.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.refresh(bureau)
    assert not bureau.active
    page = client.get(f"/admin/agencies/{bureau.id}").get_data(as_text=True)
    assert 'class="warning" role="alert"' in page
    assert page.count('class="flagged"') == 2  # the rule and the category
    assert 'class="badge warn"' in client.get("/admin/agencies").get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.before, entry.after) == ("agency.deactivate", {"active": True}, {"active": False})


def test_a_deactivated_agency_gets_no_new_cases_or_staff(app, make_agency):
    agency = make_agency(active=False)
    with pytest.raises(DomainError) as refused:
        active_agency_or_error(agency)
    assert (refused.value.code, refused.value.status) == ("agency_inactive", 422)
    with pytest.raises(DomainError, match="Choose an agency") as missing:
        active_agency_or_error(None, field="default_agency")
    assert "default_agency" in missing.value.fields
    agency.active = True
    assert active_agency_or_error(agency) is agency


def test_reactivating_clears_the_flag(client, signed_in, make_agency):
    signed_in(Role.ADMIN)
    agency = make_agency(active=False)
    db.session.commit()
    client.post(f"/admin/agencies/{agency.id}/active", data={"active": "1"})
    db.session.refresh(agency)
    assert agency.active
