"""Security headers on every response, set by one after_request hook.

Pages load scripts, styles and images from CaseHub itself only: no template has an inline script, event handler or
style attribute, so the policy needs neither 'unsafe-inline' nor nonces. Console data reaches console.js as a JSON
<script type="application/json"> block, which the browser never runs.
"""
from flask import Flask, Response

PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# JSON and XML answers (the API, Open311) are data: nothing in one may load or run, even opened in a tab.
DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCUMENT_MIMETYPES = frozenset({"application/json", "application/xml", "text/xml", "application/problem+json"})
HSTS = "max-age=63072000"


def register_security_headers(app: Flask) -> None:
    strict_transport = app.config["SESSION_COOKIE_SECURE"]

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        elif response.mimetype in DOCUMENT_MIMETYPES:
            headers.setdefault("Content-Security-Policy", DOCUMENT_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if strict_transport:
            # Cookies marked secure mean CaseHub is served over HTTPS: browsers should never try plain HTTP.
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
