"""The dashboard in the browser: charts drawn by the locally served Chart.js, a figure opens its cases,
and the printed page keeps the figures and drops the controls."""
import re

import pytest
from playwright.sync_api import expect

from casehub.extensions import db
from casehub.reports.rollup import rebuild_rollups
from tests.reports.conftest import report_world  # noqa: F401 (the generated city, a fixture)

PASSWORD = "correct-horse-battery"


@pytest.fixture
def rolled_up(report_world):  # noqa: F811 (the imported fixture)
    rebuild_rollups(report_world.first, report_world.last, now=report_world.now)
    db.session.commit()
    return report_world


def test_manager_reads_the_dashboard_drills_down_and_prints_it(page, live_server, rolled_up):
    world = rolled_up
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/login")
    page.get_by_label("帳號").fill(world.manager.username)
    page.get_by_label("密碼").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="登出")).to_be_visible()

    page.get_by_role("link", name="統計報表").click()
    page.get_by_label("起日").fill("2026-09-21")
    page.get_by_label("迄日").fill("2026-10-02")
    page.get_by_role("button", name="查詢").click()
    expect(page.locator("#on-time table")).to_be_visible()
    page.wait_for_load_state("load")  # the scripts at the end of the page have run
    assert page.evaluate("typeof window.Chart") == "function"
    drawn = page.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]'))"
                          ".filter(c => window.Chart.getChart(c) && c.width > 0).length")
    assert drawn == 4
    assert all(url.startswith(live_server) for url in requests), "every asset is served locally"

    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("#districts table")).to_be_visible()
    page.emulate_media(media="screen")

    first_row = page.locator("#on-time table tbody tr").first
    count = int(first_row.get_by_role("link").inner_text().replace(",", ""))
    first_row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cases/\?received_from=2026-09-21&received_to=2026-10-02&all=1&agency=AG\d+$"))
    expect(page.locator("table.list tbody tr")).to_have_count(min(count, 25))
