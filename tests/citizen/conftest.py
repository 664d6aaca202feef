"""A citizen's case: filed through the mayor's mailbox form, with its private code known to the test."""
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import Case
from casehub.extensions import db

MAILBOX = {"category": "petition_civil", "description": "里民活動中心屋頂漏水，請派員修繕。", "address": "高雄市前金區中正四路211號",
           "name": "王小美", "email": "wang@example.com", "phone": "0912345678", "contact_preference": "email",
           "consent": "y"}


@pytest.fixture
def mailbox_category(app, make_agency, make_category):
    """The public civil-affairs petition category of the Civil Affairs Bureau, committed."""
    agency = make_agency(code="CAB", name_zh="民政局", name_en="Civil Affairs Bureau")
    category = make_category(code="petition_civil", name_zh="民政類陳情", name_en="Civil affairs petition",
                             default_agency=agency, group="民政 / Civil affairs")
    db.session.commit()
    return category


@pytest.fixture
def filed(client, mailbox_category, make_user):
    """File the mailbox form; returns the case, its number and private code, and a supervisor of its agency."""
    response = client.post("/citizen/mailbox", data=MAILBOX)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/citizen/mailbox/sent").get_data(as_text=True)
    case = db.session.scalar(sa.select(Case))
    code = page.split('id="tracking-code">')[1].split("<")[0]
    staff = make_user(Role.AGENCY_SUPERVISOR, agency=case.agency, display_name="承辦人林大同")
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()  # from here on a visitor who knows only the number and the code
    return SimpleNamespace(case=case, number=case.number, code=code, staff=staff)
