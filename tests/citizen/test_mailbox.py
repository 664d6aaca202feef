"""The mayor's mailbox: a citizen files a case without an account; bad input changes nothing."""
import io

import pytest
import sqlalchemy as sa

from casehub.auth.models import hash_secret
from casehub.cases.models import Attachment, Case, CaseStatus, Channel
from casehub.extensions import db
from tests.citizen.conftest import MAILBOX

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def cases_stored() -> int:
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


def test_the_citizen_pages_need_no_login(client, mailbox_category):
    for url in ("/citizen/", "/citizen/mailbox", "/citizen/track"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="viewport"' in response.get_data(as_text=True)


def test_the_form_speaks_chinese_first_and_english_on_request(client, mailbox_category):
    assert "市長信箱" in client.get("/citizen/mailbox").get_data(as_text=True)
    client.post("/language/en")
    assert "Write to the mayor's mailbox" in client.get("/citizen/mailbox").get_data(as_text=True)


def test_filing_opens_a_case_for_the_agency_and_shows_the_code_once(client, filed, mailbox_category):
    case = filed.case
    assert case.channel is Channel.MAYOR_MAILBOX and case.status is CaseStatus.ASSIGNED
    assert case.agency == mailbox_category.default_agency
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == ("王小美", "wang@example.com",
                                                                               "0912345678")
    assert case.tracking_code_hash == hash_secret(filed.code)
    assert client.get("/citizen/mailbox/sent").headers["Location"] == "/citizen/track"


def test_a_photo_is_attached(client, mailbox_category):
    data = {**MAILBOX, "photos": (io.BytesIO(PNG), "roof.png")}
    assert client.post("/citizen/mailbox", data=data, content_type="multipart/form-data").status_code == 302
    assert db.session.scalar(sa.select(Attachment.filename)) == "roof.png"


@pytest.mark.parametrize("change, field, status", [
    ({"consent": ""}, "consent", 422),
    ({"category": ""}, "category", 422),
    ({"category": "nope"}, "category", 422),
    ({"description": ""}, "description", 422),
    ({"name": ""}, "name", 422),
    ({"email": "", "contact_preference": "email"}, "email", 422),
    ({"phone": "123", "contact_preference": "phone"}, "phone", 422),
    ({"photos": (io.BytesIO(b"MZ\x90\x00 not a photo"), "roof.png")}, "photos", 422),
])
def test_bad_input_is_shown_beside_the_field_and_changes_nothing(client, mailbox_category, change, field, status):
    response = client.post("/citizen/mailbox", data={**MAILBOX, **change}, content_type="multipart/form-data")
    assert response.status_code == status
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert cases_stored() == 0
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_filing_is_rate_limited_per_address(app, client, mailbox_category, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "citizen_form", (2, 3600))
    statuses = [client.post("/citizen/mailbox", data=MAILBOX).status_code for _attempt in range(3)]
    assert statuses == [302, 302, 429]
    assert cases_stored() == 2
    other = client.post("/citizen/mailbox", data=MAILBOX, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302


def test_the_public_forms_keep_csrf(app, client, mailbox_category, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/citizen/mailbox", data=MAILBOX).status_code == 400
    assert cases_stored() == 0
