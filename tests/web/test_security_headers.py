"""Security headers on every response, and pages that work under them: no inline script anywhere, so the
Content-Security-Policy can allow scripts from our own origin only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from matchmaker.settings import PROJECT_ROOT

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@pytest.mark.parametrize(
    "path", ["/login", "/", "/offers", "/api/v1/openapi.json", "/static/js/app.js", "/nowhere"]
)
def test_every_response_carries_the_security_headers(client: TestClient, login_as: Any, path: str) -> None:
    login_as("sme")
    response = client.get(path)
    csp = response.headers.get("content-security-policy", "")
    assert (
        {k: response.headers.get(k) for k in EXPECTED},
        "script-src 'self'" in csp,
        "frame-ancestors 'none'" in csp,
        "unsafe-eval" in csp,
    ) == (EXPECTED, True, True, False)


def test_no_template_has_inline_script_or_event_handlers() -> None:
    """Inline code would be blocked by script-src 'self': behaviour goes into static/js via data- attributes."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
    found = {
        str(p.relative_to(PROJECT_ROOT)): inline.findall(p.read_text(encoding="utf-8"))
        for p in (PROJECT_ROOT / "templates").rglob("*.html")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_session_cookie_is_secure_when_configured(settings: Any) -> None:
    import dataclasses

    from matchmaker.bootstrap import build
    from matchmaker.web.app import create_app

    services = build(dataclasses.replace(settings, cookie_secure=True))
    with TestClient(create_app(services), base_url="https://testserver") as client:
        response = client.get("/login")
    services.engine.dispose()
    cookie = response.headers["set-cookie"].lower()
    assert ("secure" in cookie.split("; "), "strict-transport-security" in response.headers) == (True, True)
