"""A hazard call keyed into a dispatch case with the keyboard alone, then worked by the agency."""
from playwright.sync_api import expect

from casehub.auth.models import Role
from casehub.extensions import db

PASSWORD = "correct-horse-battery"


def _sign_in(page, username):
    page.goto("/login")
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def test_operator_logs_a_pothole_call_keyboard_only_and_the_agency_resolves_it(
        browser, live_server, make_user, make_category, make_agency, make_district, record_property):
    maintenance = make_agency(code="PWB-MAINT", name_zh="養護工程處")
    make_category(code="pothole", name_zh="市區道路坑洞處理", name_en="Road pothole", keywords=["坑洞", "pothole"],
                  default_agency=maintenance)
    make_category(code="street_light", name_zh="路燈不亮或損壞", name_en="Street light out", keywords=["路燈"])
    make_district(code="sanmin", name_zh="三民區")
    make_user(Role.OPERATOR, username="operator")
    make_user(Role.AGENCY_STAFF, username="crew", agency=maintenance, display_name="林志明")
    db.session.commit()

    operator = browser.new_context(base_url=live_server, locale="zh-TW").new_page()
    _sign_in(operator, "operator")
    operator.goto("/intake/console")
    expect(operator.locator("#caller_phone")).to_be_focused()

    presses = 0

    def press(key):
        nonlocal presses
        presses += 1
        operator.keyboard.press(key)

    operator.keyboard.type("0912345678")            # free text: the caller's number
    press("Tab")                                    # outcome: "case" is preselected
    press("Tab")                                    # to the category picker
    operator.keyboard.type("坑洞")                   # free text: a few characters
    expect(operator.get_by_role("option", name="市區道路坑洞處理 · Road pothole")).to_be_visible()
    press("Enter")                                  # pick the highlighted category
    press("Tab")
    operator.keyboard.type("九如一路快車道有大坑洞，機車閃避危險")
    press("Tab")
    operator.keyboard.type("高雄市三民區九如一路100號")
    expect(operator.locator("#district")).to_have_value("sanmin")  # filled from the address
    press("Control+Enter")                          # save

    confirmation = operator.locator(".flash.success")
    expect(confirmation).to_contain_text("養護工程處")
    number = confirmation.inner_text().split()[1]
    record_property("operator_key_presses_beyond_free_text", presses)
    print(f"\nHazard call: {presses} key presses beyond the free text, no mouse")
    assert presses == 6

    crew = browser.new_context(base_url=live_server, locale="zh-TW").new_page()
    _sign_in(crew, "crew")
    crew.goto("/cases/")
    crew.get_by_role("link", name=number).click()
    crew.locator("form.action-accept button").click()
    crew.locator("#reply").fill("已派員填補坑洞，恢復通行。")
    crew.locator("form.action-resolve button").click()
    timeline = crew.locator(".timeline")
    for event in ("received", "assigned", "accepted", "resolved"):
        expect(timeline.locator(f".event-{event}")).to_have_count(1)
    expect(crew.locator("dl.facts").first).to_contain_text("已派員填補坑洞，恢復通行。")
