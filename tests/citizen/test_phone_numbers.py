"""The mayor's mailbox reads phone numbers as every door does: a foreign number is kept; nonsense is named."""
import sqlalchemy as sa

from casehub.cases.models import Case
from casehub.extensions import db
from tests.citizen.conftest import MAILBOX


def test_a_foreign_number_is_accepted(client, mailbox_category):
    response = client.post("/citizen/mailbox", data={**MAILBOX, "phone": "+1 312 555 0199"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Case.reporter_phone)) == "+13125550199"


def test_a_taiwanese_number_in_any_form_is_stored_in_one(client, mailbox_category):
    assert client.post("/citizen/mailbox", data={**MAILBOX, "phone": "09 1234 5678"}).status_code == 302
    assert db.session.scalar(sa.select(Case.reporter_phone)) == "0912345678"


def test_what_is_not_a_phone_number_is_named_beside_the_field(client, mailbox_category):
    response = client.post("/citizen/mailbox", data={**MAILBOX, "phone": "打給我"})
    assert response.status_code == 422
    assert "不是有效的電話號碼" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
