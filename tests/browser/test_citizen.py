"""A citizen on a phone: writes to the mayor's mailbox, tracks the case with number and code, rates the answer and
reopens the case."""
import sqlalchemy as sa
from playwright.sync_api import expect

from casehub.auth.models import Role
from casehub.cases.models import Case, CaseStatus, SatisfactionResponse
from casehub.cases.services import perform_action
from casehub.extensions import db

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_citizen_files_tracks_rates_and_reopens(browser, live_server, make_agency, make_category, make_user):
    agency = make_agency(code="CAB", name_zh="民政局", name_en="Civil Affairs Bureau")
    make_category(code="petition_civil", name_zh="民政類陳情", name_en="Civil affairs petition", default_agency=agency,
                  group="民政 / Civil affairs")
    supervisor = make_user(Role.AGENCY_SUPERVISOR, agency=agency)
    db.session.commit()

    writer = browser.new_context(base_url=live_server, locale="zh-TW", **PHONE).new_page()
    writer.goto("/citizen/")
    writer.locator("#write").click()
    writer.locator("#category").select_option("petition_civil")
    writer.locator("#description").fill("里民活動中心屋頂漏水，請派員修繕。")
    writer.locator("#address").fill("高雄市前金區中正四路211號")
    writer.locator("#name").fill("王小美")
    writer.locator("#email").fill("wang@example.com")
    writer.locator("#consent").check()
    writer.locator("#mailbox-form button[type=submit]").click()
    number = writer.locator("#case-number").inner_text()
    code = writer.locator("#tracking-code").inner_text()
    assert len(code) == 10

    # Later, on another phone: only the number and the code.
    citizen = browser.new_context(base_url=live_server, locale="zh-TW", **PHONE).new_page()
    citizen.goto("/citizen/track")
    citizen.locator("#number").fill(number)
    citizen.locator("#code").fill(code.lower())
    citizen.locator("main form button[type=submit]").click()
    expect(citizen.locator("h1")).to_contain_text(number)
    expect(citizen.locator("#agency")).to_have_text("民政局")
    expect(citizen.locator("#timeline li")).to_have_count(2)  # received, assigned

    case = db.session.scalar(sa.select(Case).where(Case.number == number))
    perform_action(case, "resolve", actor=supervisor, reply="已派員修繕屋頂。")
    db.session.commit()

    citizen.reload()
    expect(citizen.locator("#reply")).to_contain_text("已派員修繕屋頂。")
    citizen.locator("input[name=score][value='2']").check()
    citizen.locator("#comment").fill("下雨還是漏水")
    citizen.locator("#rating-form button[type=submit]").click()
    expect(citizen.locator("#reopen-form")).to_be_visible()
    citizen.locator("#reason").fill("昨天下雨，屋頂仍然漏水。")
    citizen.locator("#reopen-form button[type=submit]").click()
    expect(citizen.locator(".flash.success")).to_contain_text("民政局")
    expect(citizen.locator("#timeline")).to_contain_text("昨天下雨，屋頂仍然漏水。")

    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.ASSIGNED and case.reopened_count == 1
    assert db.session.scalar(sa.select(SatisfactionResponse.score)) == 2
