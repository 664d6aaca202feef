"""Open311 reads phone numbers as every door does: a visitor's foreign number is kept, never the reason a report
is lost; what is not a phone number at all is named."""
import sqlalchemy as sa

from casehub.cases.models import Case
from casehub.extensions import db

V2 = "/open311/v2"


def test_a_foreign_number_is_accepted_and_stored_in_e164(client, open311, pothole_form):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}", data={**pothole_form, "phone": "+1 312 555 0199"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Case.reporter_phone)) == "+13125550199"


def test_a_taiwanese_number_in_any_form_is_stored_in_one(client, open311, pothole_form):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}",
                           data={**pothole_form, "phone": "+886 912 345 678"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Case.reporter_phone)) == "0912345678"


def test_what_is_not_a_phone_number_is_a_field_error(client, open311, pothole_form):
    response = client.post(f"{V2}/requests.json?api_key={open311.key}", data={**pothole_form, "phone": "call me"})
    assert response.status_code == 400
    assert response.get_json()[0]["description"].startswith("phone: Not a valid phone number")
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
