"""The SLA and routing pages in the browser (zh-TW): a typhoon closure moves open deadlines; the previews."""
import pytest
from playwright.sync_api import expect

from casehub.auth.models import Role
from casehub.extensions import db
from casehub.models import utcnow

PASSWORD = "correct-horse-battery"


@pytest.fixture
def signed_in_manager(page, make_user):
    """A manager signed in through the login page."""
    make_user(Role.MANAGER, username="rdec")
    db.session.commit()
    page.goto("/login")
    page.get_by_label("帳號").fill("rdec")
    page.get_by_label("密碼").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def test_manager_declares_a_typhoon_closure_and_the_open_petition_moves(page, signed_in_manager, sla_world):
    case = sla_world.open(sla_world.petition, utcnow())
    db.session.commit()
    first_counted = case.due_explanation["counted"][0]["day"]

    page.goto("/admin/")
    page.get_by_role("link", name="行事曆").click()
    page.get_by_label("日期").fill(first_counted)
    page.get_by_label("原因").fill("颱風停止上班")
    page.get_by_role("button", name="宣告").click()
    expect(page.get_by_role("status")).to_have_text(f"已宣告 {first_counted}。重新計算期限的處理中案件：1 件。")
    expect(page.get_by_test_id("exceptions")).to_contain_text("颱風停止上班")

    db.session.expire_all()
    # Weekends before the first counted day are skipped too, depending on today's date.
    assert first_counted in [skipped["day"] for skipped in case.due_explanation["skipped"]]
    assert first_counted not in [counted["day"] for counted in case.due_explanation["counted"]]


def test_previews_show_the_deadline_and_the_agency(page, signed_in_manager, sla_world, make_district):
    make_district(name_zh="中正區")
    db.session.commit()
    page.goto("/admin/sla/policies")
    page.get_by_label("類別").select_option(label=sla_world.hazard.name_zh)
    page.get_by_label("收件時間").fill("2026-11-26T23:10")
    page.get_by_role("button", name="試算").click()
    expect(page.get_by_test_id("preview-result")).to_contain_text("處理期限為 2026-11-27 03:10")
    expect(page.get_by_test_id("deadline-explanation")).to_contain_text("4 小時，全天候計算")

    page.goto("/admin/routing/rules")
    page.get_by_label("類別").select_option(label=sla_world.petition.name_zh)
    page.get_by_label("行政區").select_option(label="中正區")
    page.get_by_role("button", name="試算分派").click()
    expect(page.get_by_test_id("preview-result")).to_contain_text(f"會分派給{sla_world.agency.name_zh}")
    expect(page.get_by_test_id("routing-explanation")).to_contain_text("沒有符合的分派規則")
