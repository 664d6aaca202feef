"""The inbox and the case page: scoping, masking, the access log, and actions through forms."""
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import PersonalDataView
from casehub.extensions import db


def test_inbox_shows_only_the_agency_cases_masked(client, login, make_user, make_case, make_category, make_agency):
    mine = make_agency()
    case = make_case(category=make_category(default_agency=mine), address="高雄市苓雅區四維三路2號",
                     reporter={"name": "王小明", "phone": "0912345678"})
    other = make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=mine)
    db.session.commit()
    login(staff)
    page = client.get("/cases/").get_data(as_text=True)
    assert case.number in page and other.number not in page
    assert "王*明" in page and "0912***678" in page and "0912345678" not in page
    assert "四維三路***" in page and "2號" not in page
    assert client.get(f"/cases/{other.number}").status_code == 404


def test_case_page_reveals_personal_data_only_on_request_and_logs_it(client, login, make_user, make_case):
    case = make_case(reporter={"name": "王小明", "phone": "0912345678"})
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    db.session.commit()
    login(staff)
    masked = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "0912345678" not in masked and db.session.scalar(sa.select(sa.func.count(PersonalDataView.id))) == 0
    revealed = client.get(f"/cases/{case.number}?reveal=1").get_data(as_text=True)
    assert "0912345678" in revealed
    view = db.session.scalar(sa.select(PersonalDataView))
    assert (view.user_id, view.case_id, view.context) == (staff.id, case.id, "case_page")


def test_manager_sees_the_case_but_never_the_personal_data(client, login, make_user, make_case):
    case = make_case(reporter={"name": "王小明", "phone": "0912345678"})
    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    page = client.get(f"/cases/{case.number}?reveal=1").get_data(as_text=True)
    assert "0912345678" not in page
    assert db.session.scalar(sa.select(sa.func.count(PersonalDataView.id))) == 0


def test_staff_accept_and_resolve_through_the_case_page(client, login, make_user, make_case):
    case = make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    db.session.commit()
    login(staff)
    client.post(f"/cases/{case.number}/actions/accept", data={"version": case.version})
    refused = client.post(f"/cases/{case.number}/actions/resolve", data={"reply": ""}, follow_redirects=True)
    assert "reply" in refused.get_data(as_text=True)
    client.post(f"/cases/{case.number}/actions/resolve", data={"reply": "已修補"})
    db.session.refresh(case)
    assert case.status == "resolved" and case.reply == "已修補"
    page = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "已修補" in page and "event-resolved" in page


def test_a_stale_form_is_refused(client, login, make_user, make_case):
    case = make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    db.session.commit()
    login(staff)
    stale = case.version
    client.post(f"/cases/{case.number}/actions/note", data={"text": "到場", "version": stale})
    page = client.post(f"/cases/{case.number}/actions/accept", data={"version": stale},
                       follow_redirects=True).get_data(as_text=True)
    db.session.refresh(case)
    assert case.status == "assigned" and "Someone else changed this case" in page


def test_case_page_explains_the_agency_and_the_deadline(client, login, make_user, make_case):
    case = make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=case.agency)
    db.session.commit()
    login(staff)
    page = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert 'data-testid="routing-explanation"' in page and 'data-testid="deadline-explanation"' in page


def test_inbox_filters_offer_active_choices_in_the_reader_language_and_keep_the_chosen_one(
        client, login, make_user, make_category, make_agency, make_district):
    kept = make_category(name_zh="路燈故障", name_en="Street light out")
    retired = make_category(name_zh="已停用類別", name_en="Retired category", active=False)
    district = make_district(name_zh="苓雅區", name_en="Lingya District")
    closed = make_agency(name_zh="已裁撤機關", name_en="Dissolved office", active=False)
    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    page = client.get(f"/cases/?category={kept.code}&district={district.code}").get_data(as_text=True)
    assert f'<option value="{kept.code}" selected>路燈故障</option>' in page
    assert f'<option value="{district.code}" selected>苓雅區</option>' in page
    assert retired.code not in page and closed.code not in page
    assert '<option value="received">' in page and ">Received<" not in page  # a status by its Chinese label
    client.post("/language/en")
    page = client.get(f"/cases/?status=accepted&category={kept.code}").get_data(as_text=True)
    assert f'<option value="{kept.code}" selected>Street light out</option>' in page
    assert '<option value="accepted" selected>Accepted</option>' in page and "Lingya District" in page


def test_agency_staff_choose_no_agency_in_the_inbox(client, login, make_user, make_agency):
    staff = make_user(Role.AGENCY_STAFF, agency=make_agency())
    db.session.commit()
    login(staff)
    page = client.get("/cases/").get_data(as_text=True)
    assert 'id="f-category"' in page and 'id="f-agency"' not in page
