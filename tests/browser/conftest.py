"""Headless Chromium (Debian's, not Playwright's download) for the browser tests.

One browser per session; every test gets a fresh context (no cookies carried over) with a
1366x768 viewport and a Chinese browser's Accept-Language, as our users send it.
"""

import os

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1366, "height": 768}
# How long an expectation waits for the page (an htmx answer, a redirect) before it fails:
# Playwright's 5 s default is too short on a loaded 2-core CI machine, where the live
# server answers from one thread beside the other test worker. Never a timing assertion.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    # The sync Playwright API keeps an asyncio loop running in the test thread from here to
    # the end of the session, so Django would refuse every ORM call made in that thread
    # (test data, pytest-django's own database setup) with SynchronousOnlyOperation.
    # Nothing is actually concurrent: the live server answers from its own thread. Set
    # only once a browser starts, so runs without browser tests keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser):
    # Headless Chromium sends "en-US" unless told otherwise; a user in China sends zh-CN.
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A tab that fails its test when the Content-Security-Policy refused anything: every
    journey proves the pages need no inline script (issue 11)."""
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    assert not refused, "refused by the Content-Security-Policy: " + "; ".join(refused)
