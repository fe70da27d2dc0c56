"""A bank user in a real browser (SPEC 2, 8): logs in to the portal, sees the indemnity
paid to it and the financing capacity of the buyer it finances, opens the buyer's page,
the feed and the agreement, and downloads the generated assignment agreement (赔款转让协议)
and the signed copy. Pages are written
as PNGs to $SCREENSHOTS_DIR (bank_*.png) when that is set.

SPEC 8's example on the covered buyer: receivables 1,000,000 × 90% = 900,000; limit
1,200,000 × 90% = 1,080,000; remaining maximum liability 940,000 less the indemnity of
90,000 paid on a claim = 850,000 → capacity 850,000.00. Assertions lean on data-testid
hooks, URLs and figures, not on labels.
"""

import hashlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from banks.models import AssignmentAgreement
from documents.models import Document
from policies.choices import PolicyStatus
from tests.banks.conftest import activate, prepare
from tests.banks.test_portal import paid_claim, report
from tests.browser.test_declaration_journey import login, nav
from tests.claims.conftest import PDF, grant_limit
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOTS_DIR", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/bank_{name}.png", full_page=True)


@pytest.fixture
def financed(personas, insured_a, bank_org):
    BuyerCapacityFactory(risk_grade=4)
    policy = PolicyFactory(
        insured=insured_a, status=PolicyStatus.IN_FORCE, max_liability=Decimal("940000")
    )
    buyer = BuyerFactory(risk_grade=4, name="深圳华星电子科技有限公司")
    other = BuyerFactory(risk_grade=4, name="无锡未转让机电有限公司")
    grant_limit(personas, policy, buyer, "1200000")
    grant_limit(personas, policy, other, "300000")
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=[buyer]))
    claim = paid_claim(personas, policy, buyer)
    report(personas, policy, buyer, "1000000")
    return {"policy": policy, "buyer": buyer, "other": other, "agreement": agreement,
            "claim": claim}  # fmt: skip


def test_a_bank_user_sees_the_indemnity_and_the_capacity_and_downloads_the_agreement(
    financed, live_server, page
):
    policy, buyer, agreement = financed["policy"], financed["buyer"], financed["agreement"]
    login(page, live_server, "bank")

    # The home page is the portal: the key figures, the assigned policy, the buyer's row.
    expect(page.get_by_test_id("home-title")).to_be_visible()
    expect(page.get_by_test_id("total-capacity")).to_have_text("850,000.00")
    expect(page.get_by_test_id("total-paid")).to_have_text("90,000.00")
    expect(page.get_by_test_id("assigned-policy")).to_have_count(1)
    expect(page.get_by_test_id("assigned-policy")).to_contain_text(agreement.reference)
    row = page.locator(f"[data-testid=position][data-buyer='{buyer.pk}']")
    expect(page.get_by_test_id("position")).to_have_count(1)
    expect(row.get_by_test_id("capacity")).to_have_text("850,000.00")
    expect(row.get_by_test_id("paid")).to_have_text("90,000.00")
    expect(row.get_by_test_id("limit")).to_have_text("1,200,000.00")
    expect(page.locator("main")).not_to_contain_text(financed["other"].name)
    shot(page, "portal")

    # The covered buyer's page: the figures, the paid indemnity to the bank's account.
    row.get_by_test_id("buyer-link").click()
    expect(page).to_have_url(f"{live_server.url}/bank/policies/{policy.pk}/buyers/{buyer.pk}/")
    expect(page.get_by_test_id("capacity")).to_have_text("850,000.00")
    expect(page.get_by_test_id("remaining-liability")).to_have_text("850,000.00")
    paid = page.get_by_test_id("indemnity-paid")
    expect(paid).to_contain_text(financed["claim"].reference)
    expect(paid).to_contain_text("90,000.00")
    expect(paid).to_contain_text(agreement.account_number)
    shot(page, "buyer")

    # The buyer no agreement covers is a 404, like any other bank's.
    response = page.goto(
        f"{live_server.url}/bank/policies/{policy.pk}/buyers/{financed['other'].pk}/"
    )
    assert response.status == 404

    # The feed: the claim paid among the new rows, adverse ones marked; then read.
    page.goto(f"{live_server.url}/")
    nav(page, "/bank/feed/").click()
    expect(page.locator("[data-testid=feed-item][data-kind=claim_paid]")).to_have_count(1)
    expect(page.locator("[data-testid=feed-item][data-new='1']").first).to_be_visible()
    expect(page.locator("[data-testid=feed-item][data-kind=claim_opened]")).to_have_attribute(
        "data-adverse", "1"
    )
    shot(page, "feed")
    page.get_by_test_id("mark-seen").locator("button").click()
    expect(page.locator("[data-testid=feed-item][data-new='1']")).to_have_count(0)
    expect(page.get_by_test_id("feed-item").first).to_be_visible()

    # The agreement's page, then its signed copy from the portal.
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("agreement-link").click()
    expect(page).to_have_url(f"{live_server.url}/banks/agreements/{agreement.pk}/")
    expect(page.get_by_test_id("agreement-status")).to_have_attribute("data-status", "active")
    expect(page.get_by_test_id("capacity")).to_have_text("850,000.00")
    shot(page, "agreement")
    # The agreement PDF the documents app generated when it was prepared (SPEC 8, 9).
    document = Document.objects.get(kind="assignment_agreement", subject_id=agreement.pk)
    assert document.status == "issued"
    with page.expect_download() as download:
        page.get_by_test_id("document-download").first.locator("a").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == document.sha256
    page.go_back()
    with page.expect_download() as download:
        page.get_by_test_id("signed-copy").click()
    assert download.value.suggested_filename == "signed.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    assert AssignmentAgreement.objects.get(pk=agreement.pk).signed_sha256
