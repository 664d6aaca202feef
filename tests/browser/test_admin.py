"""Administration in the browser: onboarding and letting go of staff, adding a category, refusals beside fields."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casehub.auth.models import Role, User
from casehub.directory.models import Category
from casehub.extensions import db

PASSWORD = "correct-horse-battery"


def _sign_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="登出")).to_be_visible()


@pytest.fixture
def maintenance_office(make_agency):
    return make_agency(code="PWB-MAINT", name_zh="養護工程處", name_en="Maintenance Office")


def _fill_new_user(page, username: str, password: str) -> None:
    page.get_by_label("帳號").fill(username)
    page.get_by_label("顯示名稱").fill("王大明")
    page.get_by_label("電子郵件").fill("wang@kcg.gov.tw")
    page.get_by_label("角色").select_option(label="機關承辦人")
    page.get_by_label("機關", exact=True).select_option(label="養護工程處 (PWB-MAINT)")
    page.get_by_label("密碼", exact=True).fill(password)
    page.get_by_label("再次輸入密碼").fill(password)
    page.get_by_role("button", name="儲存").click()


def test_admin_onboards_a_staff_member_then_deactivates_them_and_the_audit_shows_both(
        page, make_user, maintenance_office):
    make_user(Role.ADMIN, username="root", display_name="系統管理員")
    db.session.commit()
    _sign_in(page, "root")

    page.get_by_role("link", name="管理", exact=True).click()
    page.get_by_role("link", name="使用者").click()
    page.get_by_role("link", name="新增使用者").click()
    _fill_new_user(page, "wang.dm", "Lotus-Pond-Dragon-7")
    expect(page.get_by_role("status")).to_contain_text("已建立 wang.dm")

    page.get_by_role("link", name="wang.dm").click()
    expect(page.get_by_role("heading", name="wang.dm")).to_be_visible()
    page.get_by_role("button", name="停用").click()
    expect(page.get_by_role("status")).to_have_text("已停用。")
    expect(page.get_by_role("button", name="重新啟用")).to_be_visible()

    page.goto("/admin/")
    page.get_by_role("link", name="稽核紀錄").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("user.deactivate")
    expect(rows.nth(1)).to_contain_text("user.create")
    expect(rows.nth(1)).to_contain_text("PWB-MAINT")
    expect(rows.nth(0)).to_contain_text("系統管理員 (root)")
    user = db.session.scalar(sa.select(User).where(User.username == "wang.dm"))
    assert user.agency_id == maintenance_office.id and not user.active


def test_a_duplicate_username_and_a_weak_password_are_refused_beside_the_field(page, make_user, maintenance_office):
    make_user(Role.ADMIN, username="root")
    make_user(Role.OPERATOR, username="chen")
    db.session.commit()
    _sign_in(page, "root")
    page.goto("/admin/users/new")

    _fill_new_user(page, "chen", "Lotus-Pond-Dragon-7")
    expect(page.locator("#username-error")).to_have_text("已被使用。")
    expect(page.get_by_label("帳號")).to_have_attribute("aria-invalid", "true")

    _fill_new_user(page, "wang.dm", "password123")
    expect(page.locator("#password-error")).to_contain_text("太常見")
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_manager_adds_a_category_with_its_agency_and_sla_policy(page, make_user, maintenance_office, make_policy):
    make_user(Role.MANAGER, username="rdec")
    make_policy(code="hazard_4h", name_zh="危害四小時", name_en="Hazard, four hours")
    db.session.commit()
    _sign_in(page, "rdec")

    page.get_by_role("link", name="管理", exact=True).click()
    page.get_by_role("link", name="案件類別").click()
    page.get_by_role("link", name="新增類別").click()
    page.get_by_label("代碼").fill("sidewalk_damage")
    page.get_by_label("中文名稱").fill("人行道破損")
    page.get_by_label("英文名稱").fill("Damaged sidewalk")
    page.get_by_label("類型", exact=True).select_option(label="派工")
    page.get_by_label("預設承辦機關").select_option(label="養護工程處 (PWB-MAINT)")
    page.get_by_label("時效規定").select_option(label="危害四小時")
    page.get_by_label("關鍵字").fill("人行道, 地磚")
    page.get_by_label("話務選單排序").fill("35")
    page.get_by_role("button", name="儲存").click()

    expect(page.get_by_role("status")).to_have_text("已新增類別。")
    row = page.locator("table.list tbody tr", has_text="sidewalk_damage")
    expect(row).to_contain_text("養護工程處")
    expect(row).to_contain_text("危害四小時")
    category = db.session.scalar(sa.select(Category).where(Category.code == "sidewalk_damage"))
    assert category.default_agency_id == maintenance_office.id and category.keywords == ["人行道", "地磚"]


def test_a_category_without_a_default_agency_is_refused_beside_the_field(page, make_user, make_policy,
                                                                        maintenance_office):
    make_user(Role.MANAGER, username="rdec")
    make_policy(code="hazard_4h", name_zh="危害四小時")
    db.session.commit()
    _sign_in(page, "rdec")
    page.goto("/admin/categories/new")
    page.get_by_label("代碼").fill("sidewalk_damage")
    page.get_by_label("中文名稱").fill("人行道破損")
    page.get_by_label("英文名稱").fill("Damaged sidewalk")
    page.get_by_label("時效規定").select_option(label="危害四小時")
    page.get_by_role("button", name="儲存").click()

    expect(page.locator("#default_agency-error")).to_have_text("請選擇機關。")
    expect(page.get_by_label("中文名稱")).to_have_value("人行道破損")  # what was typed is kept
    expect(page).to_have_url(re.compile(r"/admin/categories/new$"))
    assert db.session.scalar(sa.select(Category)) is None
