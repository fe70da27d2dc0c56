"""An overdue account from notice to indemnity in a real browser (SPEC 2, 7): the
insured's approver files a notice with two invoices, opens a protracted-default claim and
uploads the five documents; a claims handler marks the file complete; five months later
the waiting-period sweep moves the claim to assessment; the handler computes the
worksheet and approves above his authority; a claims manager approves; the payment is
recorded and shows on the insured's claim page. Main pages are written as PNGs to
$SCREENSHOTS_DIR (claims_*.png) when that is set.

The business day is 2026-09-15; the buyer's limit of 1,000,000 dates from January. Two
invoices of 800,000 and 700,000 are covered: min(1,500,000, 1,000,000) × 90% = 900,000,
above the handler's authority of 500,000. Assertions lean on data-testid hooks, URLs
and figures, not on labels.
"""

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from claims.choices import REQUIRED_DOCUMENTS
from claims.models import Claim, OverdueNotice
from claims.tasks import sweep_claims
from policies.choices import PolicyStatus
from tests.claims.conftest import PDF, grant_limit
from tests.factories import PASSWORD, BuyerCapacityFactory, BuyerFactory, PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOTS_DIR", "")
# The day after the waiting period of the file completed on 15 September ends.
AFTER_WAITING = datetime(2027, 2, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def account(personas, insured_a):
    BuyerCapacityFactory(risk_grade=4)
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    buyer = BuyerFactory(risk_grade=4, name="深圳华星电子科技有限公司")
    grant_limit(personas, policy, buyer, "1000000")
    return {"policy": policy, "buyer": buyer}


def login(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_username) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")


def nav(page: Page, href: str):
    return page.get_by_test_id("nav").locator(f"a[href='{href}']")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/claims_{name}.png", full_page=True)


def fill_invoice(page: Page, n: int, number, amount, shipped, due) -> None:
    row = page.get_by_test_id("invoice-row").nth(n)
    row.locator(f"[name='inv-{n}-number']").fill(number)
    row.locator(f"[name='inv-{n}-invoice_date']").fill(shipped)
    row.locator(f"[name='inv-{n}-shipment_date']").fill(shipped)
    row.locator(f"[name='inv-{n}-amount']").fill(amount)
    row.locator(f"[name='inv-{n}-original_due_date']").fill(due)


def test_notice_claim_documents_waiting_worksheet_approval_payment(account, live_server, page):
    buyer = account["buyer"]

    # The insured's approver files the notice with two invoices from the portal.
    login(page, live_server, "insured_a")
    nav(page, "/claims/notices/").click()
    expect(page).to_have_url(f"{live_server.url}/claims/notices/")
    page.locator("a[href='/claims/notices/new/']").click()
    form = page.get_by_test_id("notice-form")
    form.locator("#id_buyer").select_option(str(buyer.pk))
    fill_invoice(page, 0, "FP-2026-0601", "800,000", "2026-06-01", "2026-08-30")
    fill_invoice(page, 1, "FP-2026-0615", "700,000", "2026-06-15", "2026-09-13")
    shot(page, "notice_form")
    form.get_by_test_id("file-notice").click()
    expect(page).to_have_url(re.compile(r"/claims/notices/\d+/$"))
    expect(page.get_by_test_id("notice-status")).to_have_attribute("data-status", "filed")
    expect(page.get_by_test_id("notice-total")).to_have_text("1,500,000.00")
    expect(page.get_by_test_id("invoice")).to_have_count(2)
    notice = OverdueNotice.objects.get(buyer=buyer)
    assert notice.days_late == 0
    expect(page.get_by_test_id("documents-panel")).to_be_visible()
    shot(page, "notice_filed")

    # It opens a claim for protracted default and uploads the five documents.
    page.get_by_test_id("open-claim-form").locator("#id_cause").select_option("protracted_default")
    page.get_by_test_id("open-claim").click()
    expect(page).to_have_url(re.compile(r"/claims/\d+/$"))
    claim = Claim.objects.get(notice=notice)
    expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "collecting")
    upload = page.get_by_test_id("upload-form")
    expect(upload.locator("input[type=file]")).to_have_attribute("accept", re.compile(r"\.pdf"))
    for kind in REQUIRED_DOCUMENTS:
        upload = page.get_by_test_id("upload-form")
        upload.locator("#id_kind").select_option(kind)
        upload.locator("#id_file").set_input_files(
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        upload.get_by_test_id("upload-document").click()
        item = page.locator(f"[data-testid=checklist-item][data-kind='{kind}']")
        expect(item).to_have_attribute("data-done", "1")
    expect(page.get_by_test_id("mark-complete")).to_have_count(0)  # the insurer's step
    shot(page, "insured_claim_documents")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("open-claim-row")).to_have_count(1)
    shot(page, "insured_home")

    # A claims handler finds it in the queue and marks the file complete.
    login(page, live_server, "claims_handler")
    nav(page, "/claims/").click()
    row = page.get_by_test_id("list-table").locator("tbody tr").filter(has_text=claim.reference)
    expect(row.get_by_test_id("clock-documents")).to_contain_text("2026-09-25")
    shot(page, "queue")
    row.locator(f"a[href='/claims/{claim.pk}/']").click()
    page.get_by_test_id("mark-complete").click()
    expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "waiting")
    expect(page.get_by_test_id("waiting-ends-on")).to_have_text("2027-02-15")
    shot(page, "staff_claim_waiting")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("claim-due-row")).to_have_count(1)
    shot(page, "staff_home")

    # Five months later the daily sweep ends the waiting period.
    with time_machine.travel(AFTER_WAITING, tick=True):
        assert sweep_claims()["waiting_ended"] == 1
        claim.refresh_from_db()
        assert claim.status == "assessment"

        # The handler computes the worksheet: every invoice in, the indemnity 900,000.
        login(page, live_server, "claims_handler")
        page.goto(f"{live_server.url}{claim.get_absolute_url()}")
        expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "assessment")
        page.get_by_test_id("worksheet-form").locator("#id_other_credits").fill("0")
        page.get_by_test_id("compute-worksheet").click()
        worksheet = page.get_by_test_id("worksheet")
        expect(worksheet.locator("[data-testid=worksheet-line][data-covered='1']")).to_have_count(2)
        expect(page.get_by_test_id("ws-covered")).to_have_text("1,500,000.00")
        expect(page.get_by_test_id("ws-limit")).to_have_text("1,000,000.00")
        expect(page.get_by_test_id("ws-indemnity")).to_have_text("900,000.00")
        shot(page, "worksheet")
        # Above the handler's authority: the claim waits for a second approver.
        page.get_by_test_id("approve-claim").click()
        expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "approval")
        expect(page.get_by_test_id("approve-claim")).to_have_count(0)

        # The claims manager approves and records the payment to the insured.
        login(page, live_server, "claims_manager")
        page.goto(f"{live_server.url}{claim.get_absolute_url()}")
        page.get_by_test_id("approve-claim").click()
        expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "approved")
        payment = page.get_by_test_id("payment-form")
        expect(payment.get_by_test_id("payee")).to_contain_text(claim.policy.insured.name)
        shot(page, "staff_claim_approved")
        payment.locator("#id_payment_reference").fill("TT20270216001")
        payment.get_by_test_id("record-payment").click()
        expect(page.get_by_test_id("claim-status")).to_have_attribute("data-status", "paid")

        # The insured sees the payment, the approved worksheet and the history.
        login(page, live_server, "insured_a")
        page.goto(f"{live_server.url}{claim.get_absolute_url()}")
        expect(page.get_by_test_id("payment-amount")).to_have_text("900,000.00")
        expect(page.get_by_test_id("payment-date")).to_have_text("2027-02-16")
        expect(page.get_by_test_id("ws-indemnity")).to_have_text("900,000.00")
        expect(page.get_by_test_id("status-history").locator("tr")).to_have_count(5)
        shot(page, "insured_claim_paid")
