"""The main pages work under the Content-Security-Policy: Chromium reports no violation and no script error on any
of them, the charts are drawn and the console's category picker runs."""
import pytest
from playwright.sync_api import expect

from casehub.auth.models import Role
from casehub.extensions import db
from casehub.reports.rollup import rebuild_rollups
from tests.reports.conftest import report_world  # noqa: F401 (the generated city, a fixture)

PASSWORD = "correct-horse-battery"
PERIOD = "from=2026-09-21&to=2026-10-02"
# Chromium reports a blocked script, style or image in the console; the DOM event names the directive too.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI));
"""


@pytest.fixture
def watched_page(page):
    """The page, collecting every console error, script error and CSP violation it meets."""
    page.problems = []

    def note(message) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # Chromium asks for one unbidden; there is none
        if message.type == "error" or "Content Security Policy" in message.text:
            page.problems.append(f"console {message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", note)
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"], path
    page.wait_for_load_state("load")  # the scripts at the end of the page have run
    assert (page.evaluate("window.__cspViolations"), page.problems) == ([], []), path


def sign_in(page, user) -> None:
    visit(page, "/login")
    page.get_by_label("帳號").fill(user.username)
    page.get_by_label("密碼").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def test_staff_and_citizen_pages_run_under_the_policy(watched_page, live_server, report_world, make_user,  # noqa: F811
                                                      tmp_path):
    world = report_world
    rebuild_rollups(world.first, world.last, now=world.now)
    admin = make_user(Role.ADMIN)
    db.session.commit()
    page = watched_page

    for path in ("/citizen/", "/citizen/mailbox", "/citizen/track", "/api/v1/docs"):
        visit(page, path)

    sign_in(page, world.manager)
    for path in ("/cases/", f"/cases/{world.cases[0].number}", "/notify/sent", f"/reports/sla?{PERIOD}",
                 f"/reports/monthly/{world.agencies[0].code}/2026-09"):
        visit(page, path)
    visit(page, f"/reports/?{PERIOD}")
    drawn = page.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]'))"
                          ".filter(c => window.Chart.getChart(c) && c.width > 0).length")
    assert drawn == 4
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    visit(page, "/intake/console")
    page.locator("#category_search").fill(world.categories[0].code)
    expect(page.locator("#category_options li")).to_have_count(1)  # console.js read its data and answered
    page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
    assert page.problems == []

    # The watch itself works: an inline script, as injected markup would bring, is refused and reported.
    page.evaluate("""() => { const script = document.createElement("script");
                             script.textContent = "window.injected = true"; document.body.append(script); }""")
    assert page.evaluate("window.injected") is None
    assert page.evaluate("window.__cspViolations") == ["script-src-elem inline"]
    page.problems.clear()

    page.get_by_role("button", name="登出").click()
    sign_in(page, admin)
    for path in ("/admin/", "/admin/users", "/admin/categories", "/admin/api-keys"):
        visit(page, path)
