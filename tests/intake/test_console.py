"""The operator console: calls, cases, duplicates, attachments; bad input saves nothing."""
import io

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import Attachment, Case, CaseEvent, CaseReporter
from casehub.extensions import db
from casehub.intake.models import Call

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def operator(make_user, login):
    user = make_user(Role.OPERATOR)
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def pothole(make_category, make_agency, make_district):
    category = make_category(code="pothole", name_zh="市區道路坑洞處理", default_agency=make_agency(code="PWB-MAINT"))
    make_district(code="sanmin", name_zh="三民區")
    db.session.commit()
    return category


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _case_form(**overrides):
    return {"caller_phone": "0912345678", "outcome": "case", "category": "pothole", "description": "大坑洞",
            "address": "高雄市三民區九如一路100號", "channel": "phone", "contact_preference": "phone"} | overrides


def test_console_page_lists_categories_for_the_picker(client, operator, pothole):
    page = client.get("/intake/console").get_data(as_text=True)
    assert '"code": "pothole"' in page and 'id="category_search"' in page


def test_consultation_call_is_logged_without_a_case(client, operator):
    response = client.post("/intake/console", data={"caller_phone": "07-3368333", "outcome": "consultation",
                                                    "answered_immediately": "true", "summary": "詢問垃圾車時間"})
    assert response.status_code == 302
    call = db.session.scalar(sa.select(Call))
    assert (call.outcome, call.answered_immediately, call.case_id) == ("consultation", True, None)
    assert call.caller_phone == "073368333" and _count(Case) == 0


def test_case_call_opens_a_case_with_district_from_the_address(client, operator, pothole):
    response = client.post("/intake/console", data=_case_form())
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert case.district.code == "sanmin" and case.agency.code == "PWB-MAINT"
    assert case.reporter_phone == "0912345678"
    call = db.session.scalar(sa.select(Call))
    assert call.case_id == case.id and call.outcome == "case"
    flash = client.get("/intake/console").get_data(as_text=True)
    assert case.number in flash


@pytest.mark.parametrize("overrides, field", [
    ({"category": ""}, "category"),
    ({"caller_phone": "12ab"}, "caller_phone"),
    ({"reporter_email": "nope", "contact_preference": "email"}, "reporter_email"),
    ({"district": "atlantis"}, "district"),
    ({"description": ""}, "description"),
])
def test_bad_console_input_is_shown_beside_the_field_and_nothing_is_saved(client, operator, pothole, overrides, field):
    response = client.post("/intake/console", data=_case_form(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "大坑洞" in page or overrides.get("description") == ""  # what was typed is kept
    assert _count(Case) == 0 and _count(Call) == 0 and _count(CaseEvent) == 0


def test_attachment_is_checked_by_content(client, operator, pothole):
    good = client.post("/intake/console", data=_case_form(attachments=(io.BytesIO(PNG), "hole.jpg")),
                       content_type="multipart/form-data")
    assert good.status_code == 302
    stored = db.session.scalar(sa.select(Attachment))
    assert stored.content_type == "image/png" and stored.size == len(PNG)
    disguised = client.post("/intake/console", data=_case_form(attachments=(io.BytesIO(b"MZ\x90\x00evil"), "x.jpg")),
                            content_type="multipart/form-data")
    assert disguised.status_code == 422 and 'id="attachments-error"' in disguised.get_data(as_text=True)
    assert _count(Case) == 1


def test_too_large_attachment_is_refused(app, client, operator, pothole):
    limit = app.config["MAX_ATTACHMENT_BYTES"]
    app.config["MAX_ATTACHMENT_BYTES"] = 50
    try:
        response = client.post("/intake/console", data=_case_form(attachments=(io.BytesIO(PNG), "big.png")),
                               content_type="multipart/form-data")
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = limit
    assert response.status_code == 422 and _count(Case) == 0


def test_lookup_shows_history_and_nearby_duplicates_masked(client, operator, pothole, make_case):
    earlier = make_case(category=pothole, address="高雄市三民區九如一路100號",
                        reporter={"name": "王小明", "phone": "0912345678"})
    db.session.commit()
    found = client.get("/intake/lookup?phone=0912-345-678&category=pothole&address=高雄市三民區九如一路100號").json
    assert [c["number"] for c in found["history"]] == [earlier.number]
    assert [c["number"] for c in found["duplicates"]] == [earlier.number]
    assert found["history"][0]["reporter"] == "王*明" and "100" not in found["history"][0]["address"]


def test_call_attached_to_an_existing_case_as_a_duplicate(client, operator, pothole, make_case):
    existing = make_case(category=pothole, address="高雄市三民區九如一路100號")
    db.session.commit()
    response = client.post("/intake/console", data=_case_form(duplicate_of=existing.number, reporter_name="李小姐",
                                                               caller_phone="0933222111"))
    assert response.status_code == 302
    assert _count(Case) == 1
    reporter = db.session.scalar(sa.select(CaseReporter))
    assert (reporter.case_id, reporter.name, reporter.phone) == (existing.id, "李小姐", "0933222111")
    assert db.session.scalar(sa.select(Call.case_id)) == existing.id


def test_agency_staff_cannot_use_the_console(client, make_user, login):
    staff = make_user(Role.AGENCY_STAFF)
    db.session.commit()
    login(staff)
    assert client.get("/intake/console").status_code == 403


def test_citizen_is_sent_the_number_and_tracking_code(client, operator, pothole):
    from casehub.notify.models import OutboxMessage

    client.post("/intake/console", data=_case_form(reporter_email="ming@example.tw", contact_preference="email"))
    case = db.session.scalar(sa.select(Case))
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "case_received"))
    assert message.recipient == "ming@example.tw" and message.payload["case_number"] == case.number
    assert len(message.payload["tracking_code"]) == 10
