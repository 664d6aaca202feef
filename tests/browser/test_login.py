from playwright.sync_api import expect

from casehub.auth.models import Role
from casehub.extensions import db


def test_demo_operator_signs_in_sees_chinese_and_switches_to_english(page, make_user):
    make_user(Role.OPERATOR, username="operator", display_name="林話務", password="Kaohsiung-1999-ops")
    db.session.commit()

    page.goto("/")
    expect(page.get_by_role("heading", name="登入")).to_be_visible()
    page.get_by_label("帳號").fill("operator")
    page.get_by_label("密碼").fill("Kaohsiung-1999-ops")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="林話務，您好")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page.get_by_role("button", name="登出")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Welcome, 林話務")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_wrong_password_shows_the_error_on_the_form(page, make_user):
    make_user(Role.OPERATOR, username="operator")
    db.session.commit()
    page.goto("/login")
    page.get_by_label("帳號").fill("operator")
    page.get_by_label("密碼").fill("not-the-password")
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("alert")).to_have_text("帳號或密碼錯誤。")
