"""Every response carries the security headers: a strict CSP on pages, frame denial and nosniff everywhere, HSTS
only when cookies are secure."""
import pytest

from casehub import create_app
from casehub.security import DOCUMENT_POLICY, PAGE_POLICY
from config import TestConfig


def directives(policy: str) -> dict[str, str]:
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";"))


def test_the_page_policy_allows_no_inline_script_or_style_and_no_framing():
    policy = directives(PAGE_POLICY)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in PAGE_POLICY and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"


@pytest.mark.parametrize("url", ["/login", "/citizen/", "/citizen/track", "/no-such-page"])
def test_pages_carry_the_page_policy_and_frame_denial(client, url):
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == PAGE_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # cookies are not secure in tests: plain HTTP is allowed


@pytest.mark.parametrize("url", ["/api/v1/cases", "/api/v1/openapi.json", "/open311/v2/services.json",
                                 "/open311/v2/services.xml", "/open311/v2/requests/nope.json"])
def test_json_and_xml_answers_load_nothing_and_are_never_framed(client, url):
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == DOCUMENT_POLICY
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_not_sniffed(client):
    headers = client.get("/static/casehub.css").headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_when_cookies_are_secure(app):
    class SecureConfig(TestConfig):
        SESSION_COOKIE_SECURE = True

    secure = create_app(SecureConfig)
    with secure.app_context():
        response = secure.test_client().get("/login", base_url="https://casehub.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000"
