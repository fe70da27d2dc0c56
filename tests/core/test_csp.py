"""Content-Security-Policy (issue 11, ASVS 5.0 V3.4): scripts run only from our own
static files. The header is on every answer; no template carries inline script, an on*
handler or a javascript: URL, which the policy would refuse (the browser tests fail on
any refusal: tests/browser/conftest.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/login/", "/api/docs/", "/api/redoc/", "/api/v1/policies/"])
def test_every_answer_carries_a_policy_without_inline_script_or_eval(path):
    policy = _policy(Client().get(path))
    assert policy["script-src"] == "'self'"
    assert "unsafe" not in policy["default-src"]
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_the_api_docs_load_their_script_from_a_url_not_inline():
    html = Client().get("/api/docs/").content.decode()
    assert "<script src=" in html
    assert not INLINE_SCRIPT.search(html), "Swagger UI's page has an inline script"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_needs_inline_script(template):
    text = template.read_text()
    found = [
        match.group(0)
        for pattern in (INLINE_SCRIPT, HANDLER, JAVASCRIPT_URL)
        for match in pattern.finditer(text)
    ]
    assert not found, f"the Content-Security-Policy would refuse: {found}"


def test_the_scan_finds_what_it_looks_for():
    """The patterns above are not vacuous."""
    bad = '<script>alert(1)</script><a onclick="x()" href="javascript:void(0)">'
    assert INLINE_SCRIPT.search(bad) and HANDLER.search(bad) and JAVASCRIPT_URL.search(bad)
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
