"""A document being made, in a real browser (SPEC 9: "the page shows its progress and
then the download"): the page polls the status while a worker renders the PDF and turns
the progress into the download link without a reload. Then the documents list and the
staff's page with the correction form (PNGs in $SCREENSHOTS_DIR when that is set)."""

import os
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import Page, expect

from core.transitions import create
from documents.choices import DOCUMENT_MACHINE
from documents.models import Document
from documents.services import document_render
from tests.browser.test_declaration_journey import login
from tests.documents.samples import sample_renderer
from tests.factories import PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOTS_DIR", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_progress_turns_into_the_download_when_the_document_is_issued(
    personas, insured_a, live_server, page
):
    with sample_renderer() as kind:
        policy = PolicyFactory(insured=insured_a, status="in_force")
        # Queued as document_request leaves it, but with no task sent: this test is the worker.
        document = create(
            DOCUMENT_MACHINE,
            Document(
                kind=kind, subject_type=ContentType.objects.get_for_model(policy),
                subject_id=policy.pk, policy=policy, reference="LN-2026-700001",
                filename="测试通知书-LN-2026-700001.pdf",
            ),
            "request",
        )  # fmt: skip
        login(page, live_server, "insured_a")
        page.goto(f"{live_server.url}/documents/{document.pk}/")
        status = page.get_by_test_id("document-status").first
        expect(status.locator(".spinner-border")).to_be_visible()
        expect(page.get_by_test_id("document-download").first.locator("a")).to_have_count(0)
        _shot(page, "document-queued")

        assert document_render(document_id=document.pk) == "issued"

        link = page.get_by_test_id("document-download").first.locator("a")
        expect(link).to_have_attribute("href", f"/documents/{document.pk}/download/")
        expect(status.locator(".spinner-border")).to_have_count(0)
        sha256 = Document.objects.get(pk=document.pk).sha256
        expect(page.locator("code[data-sha256]").first).to_have_text(sha256)
        _shot(page, "document-issued")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "测试通知书-LN-2026-700001.pdf"

        page.goto(f"{live_server.url}/documents/")
        expect(page.get_by_test_id("reference").first).to_have_text("LN-2026-700001")
        _shot(page, "documents-list")

        login(page, live_server, "claims_handler")
        page.goto(f"{live_server.url}/documents/{document.pk}/")
        expect(page.get_by_test_id("reissue-form")).to_be_visible()
        _shot(page, "document-staff")
