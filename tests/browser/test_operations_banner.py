"""The staff banner in the browser: late background work is announced on staff pages, in zh-TW first."""
from datetime import timedelta

from playwright.sync_api import expect

from casehub.auth.models import Role
from casehub.extensions import db
from casehub.health.heartbeats import record_beat
from casehub.health.models import Beat
from casehub.models import utcnow


def test_operator_sees_that_the_sla_sweep_is_late_in_chinese_then_english(page, make_user):
    make_user(Role.OPERATOR, username="operator", display_name="林話務", password="Kaohsiung-1999-ops")
    db.session.commit()
    record_beat(Beat.SCHEDULER, utcnow() - timedelta(minutes=1))
    record_beat(Beat.SLA_SWEEP, utcnow() - timedelta(minutes=25))

    page.goto("/login")
    expect(page.get_by_test_id("operations-banner")).to_have_count(0)
    page.get_by_label("帳號").fill("operator")
    page.get_by_label("密碼").fill("Kaohsiung-1999-ops")
    page.keyboard.press("Enter")

    banner = page.get_by_test_id("operations-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("背景作業落後")
    expect(banner).to_contain_text("上次期限檢查：25 分鐘前")
    expect(banner).to_contain_text("沒有待送的訊息")
    expect(banner).to_contain_text("排程器心跳：1 分鐘前")

    page.get_by_role("button", name="English").click()
    expect(banner).to_contain_text("Last SLA sweep: 25 minutes ago")
