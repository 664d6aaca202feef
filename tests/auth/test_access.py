import pytest
import sqlalchemy as sa
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from casehub.auth.access import can_see_agency, roles_required, scope_to_agency
from casehub.auth.models import Role
from casehub.cases.models import Case
from casehub.extensions import db


def test_agency_staff_see_only_their_agency_cases(app, make_user, make_case, make_category, make_agency):
    mine, other = make_agency(), make_agency()
    make_case(category=make_category(default_agency=mine))
    make_case(category=make_category(default_agency=other))
    make_case(category=make_category(default_agency=other))
    staff = make_user(Role.AGENCY_STAFF, agency=mine)
    supervisor = make_user(Role.AGENCY_SUPERVISOR, agency=other)
    operator = make_user(Role.OPERATOR)

    def visible(user):
        return db.session.scalars(scope_to_agency(sa.select(Case), user, Case.agency_id)).all()

    assert {case.agency_id for case in visible(staff)} == {mine.id}
    assert len(visible(supervisor)) == 2
    assert len(visible(operator)) == 3
    assert can_see_agency(staff, mine.id) and not can_see_agency(staff, other.id)
    assert can_see_agency(operator, other.id)


def test_home_page_counts_only_the_agency_cases(client, login, make_user, make_case, make_category, make_agency):
    mine = make_agency()
    make_case(category=make_category(default_agency=mine))
    make_case()
    staff = make_user(Role.AGENCY_STAFF, agency=mine)
    db.session.commit()
    login(staff)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="open-cases">1<' in page
    assert "件本機關未結案件" in page


def test_roles_required_allows_listed_roles_and_refuses_others(app, make_user):
    @roles_required(Role.MANAGER, Role.ADMIN)
    def reports():
        return "reports"

    manager, operator = make_user(Role.MANAGER), make_user(Role.OPERATOR)
    with app.test_request_context():
        login_user(manager)
        assert reports() == "reports"
        login_user(operator)
        with pytest.raises(Forbidden):
            reports()
