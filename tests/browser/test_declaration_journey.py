"""A quarter's turnover declaration in a real browser (SPEC 2, 6, 7): the insured's clerk
prepares it, the approver submits it, the premium position on the page moves, and the
insured's "due next" list shows the next deadline. Then every premium and deadline page
is opened as each role uses it (written as PNGs to $SCREENSHOTS_DIR when that is set).

The business day is 2026-09-15: Q2 (April–June) was due on 15 July, Q3 is due on 15
October. Assertions lean on data-testid hooks, URLs and figures, not on labels.
"""

import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from deadlines.services import deadlines_sweep
from policies.choices import PolicyStatus
from premiums import services
from premiums.choices import DeclarationStatus
from premiums.models import Declaration
from tests.factories import PASSWORD, PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def policy(personas, insured_a):
    """The SPEC 6 example: estimate 50,000,000 at 0.5%, minimum premium 200,000 in 4."""
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    return policy


def login(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_username) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")


def nav(page: Page, href: str):
    return page.get_by_test_id("nav").locator(f"a[href='{href}']")


def test_clerk_prepares_approver_submits_the_position_moves_due_next_shows_the_next(
    policy, live_server, page
):
    premium_page = f"{live_server.url}/premiums/policies/{policy.pk}/"

    # The clerk opens the policy's declarations from the home page and prepares Q2.
    login(page, live_server, "insured_a_clerk")
    page.get_by_test_id("policy-premium-link").first.click()
    expect(page).to_have_url(premium_page)
    q2 = page.locator("[data-testid=quarter-row][data-quarter='2']")
    expect(q2).to_have_attribute("data-state", "missing")
    q2.get_by_test_id("declare-quarter").click()
    form = page.get_by_test_id("declaration-form")
    expect(page.get_by_test_id("turnover-definition")).to_be_visible()
    expect(form.get_by_test_id("declare-now")).to_have_count(0)  # a clerk cannot submit
    expect(form.locator("#id_quarter")).to_have_value("2")
    form.locator("#id_turnover").fill("15,000,000")
    form.get_by_test_id("save-draft").click()
    expect(page).to_have_url(re.compile(r"/premiums/declarations/\d+/$"))
    expect(page.get_by_test_id("declaration-status")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("submit-declaration")).to_have_count(0)
    draft = Declaration.objects.get(policy=policy, quarter=2)
    assert draft.status == DeclarationStatus.DRAFT

    # The approver sees nothing declared yet, opens the waiting draft and submits it.
    login(page, live_server, "insured_a")
    page.goto(premium_page)
    expect(page.get_by_test_id("premium-to-date")).to_have_text("0.00")
    expect(page.get_by_test_id("declared-total")).to_have_text("0.00")
    page.locator("[data-testid=quarter-row][data-quarter='2']").get_by_test_id("draft-link").click()
    expect(page).to_have_url(f"{live_server.url}{draft.get_absolute_url()}")
    expect(page.get_by_test_id("declaration-turnover")).to_have_text("15,000,000.00")
    page.get_by_test_id("submit-declaration").click()
    expect(page.get_by_test_id("declaration-status")).to_have_attribute("data-status", "submitted")
    draft.refresh_from_db()
    assert (draft.status, draft.days_late) == (DeclarationStatus.SUBMITTED, 62)

    # The premium position moved: 15,000,000 at 0.5% is 75,000 of premium so far.
    page.goto(premium_page)
    expect(page.get_by_test_id("declared-total")).to_have_text("15,000,000.00")
    expect(page.get_by_test_id("premium-to-date")).to_have_text("75,000.00")
    q2 = page.locator("[data-testid=quarter-row][data-quarter='2']")
    expect(q2).to_have_attribute("data-state", "late")
    expect(q2.get_by_test_id("quarter-turnover")).to_have_text("15,000,000.00")
    expect(page.locator("[data-testid=chart-bar][data-quarter='Q2']")).to_have_attribute(
        "data-declared", "15000000.00"
    )

    # "Due next": Q2's deadline is met; the next one ahead is instalment 4 on 1 October,
    # then Q3's declaration on 15 October, 30 days from today.
    nav(page, "/deadlines/").click()
    expect(page).to_have_url(f"{live_server.url}/deadlines/")
    table = page.get_by_test_id("list-table")
    expect(table).not_to_contain_text("2026-07-15")
    ahead = table.locator("tbody tr").filter(has_text="2026-10-15")
    expect(ahead).to_have_count(1)
    expect(ahead.get_by_test_id("days-left")).to_contain_text("30")
    page.goto(f"{live_server.url}/")
    home_rows = page.get_by_test_id("due-next").get_by_test_id("due-next-row")
    expect(home_rows.first).to_be_visible()
    expect(page.get_by_test_id("due-next")).not_to_contain_text("2026-07-15")


SHOTS = os.environ.get("SCREENSHOTS_DIR", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_every_premium_and_deadline_page_opens_for_its_roles(
    policy, personas, insured_b, live_server, page
):
    approver, underwriter = personas["insured_a"], personas["underwriter"]
    services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=Decimal("11800000"),
        submit=True, today=date(2026, 4, 10),
    )  # fmt: skip
    services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=Decimal("12600000"),
        correction_reason="漏报三月下旬两张发票", submit=True,
    )  # fmt: skip
    note = policy.debit_notes.get(sequence=1)
    services.payment_record(
        actor=underwriter, debit_note_id=note.pk, amount=Decimal("50000"),
        paid_on=date(2026, 1, 8), reference="CMB-20260108-01",
    )  # fmt: skip
    services.payment_record(
        actor=underwriter, debit_note_id=policy.debit_notes.get(sequence=2).pk,
        amount=Decimal("30000"), paid_on=date(2026, 4, 20),
    )  # fmt: skip
    other = PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE)
    services.premium_account_open(policy_id=other.pk, today=date(2026, 1, 1))
    services.premiums_sweep(today=date(2026, 9, 15))
    deadlines_sweep(today=date(2026, 9, 15))

    login(page, live_server, "insured_a")
    _shot(page, "01-insured-home")
    page.goto(f"{live_server.url}/premiums/policies/{policy.pk}/")
    expect(page.get_by_test_id("turnover-chart")).to_be_visible()
    expect(page.get_by_test_id("missing-declarations")).to_be_visible()
    _shot(page, "02-insured-policy-premium")
    page.goto(f"{live_server.url}/premiums/policies/{policy.pk}/declare/?quarter=2")
    expect(page.get_by_test_id("declaration-form")).to_be_visible()
    _shot(page, "03-declaration-form")
    page.get_by_test_id("declaration-form").locator("#id_turnover").fill("-5")
    page.get_by_test_id("declare-now").click()
    expect(page.locator("[data-field='turnover']")).to_be_visible()
    _shot(page, "04-declaration-form-error")
    page.goto(f"{live_server.url}/deadlines/")
    expect(page.get_by_test_id("list-table")).to_be_visible()
    _shot(page, "05-insured-due-next")
    page.goto(f"{live_server.url}/deadlines/calendar/?month=2026-10")
    expect(page.get_by_test_id("calendar-entry").first).to_be_visible()
    _shot(page, "06-calendar")
    corrected = Declaration.objects.get(policy=policy, quarter=1, version=2)
    page.goto(f"{live_server.url}{corrected.get_absolute_url()}")
    expect(page.get_by_test_id("versions").locator("tbody tr")).to_have_count(2)
    _shot(page, "07-declaration-detail")

    login(page, live_server, underwriter.username)
    _shot(page, "08-staff-home")
    expect(page.get_by_test_id("missed-declarations")).to_have_text("3")
    nav(page, "/premiums/declarations/").click()
    expect(page.get_by_test_id("quarter-state").first).to_be_visible()
    _shot(page, "09-staff-declarations-overview")
    page.goto(f"{live_server.url}/premiums/policies/{policy.pk}/account/")
    expect(page.get_by_test_id("payment-form")).to_be_visible()
    page.get_by_test_id("payment-form").locator("#id_amount").fill("999,999")
    page.get_by_test_id("payment-submit").click()
    expect(page.locator("[data-field='amount']")).to_be_visible()
    _shot(page, "10-premium-account-overpayment")
    nav(page, "/premiums/debit-notes/overdue/").click()
    expect(page.get_by_test_id("days-overdue").first).to_be_visible()
    _shot(page, "11-overdue-debit-notes")
    page.goto(f"{live_server.url}{note.get_absolute_url()}")
    expect(page.get_by_test_id("note-payments")).to_contain_text("CMB-20260108-01")
    _shot(page, "12-debit-note")
    open_note = policy.debit_notes.get(sequence=4)
    page.goto(f"{live_server.url}{open_note.get_absolute_url()}")
    page.get_by_test_id("cancel-note").click()
    expect(page.get_by_test_id("confirm-dialog")).to_be_visible()
    _shot(page, "13-cancel-note-confirmation")
    page.goto(f"{live_server.url}/deadlines/?kind=declaration&status=missed")
    _shot(page, "14-staff-deadlines-missed")
    page.goto(f"{live_server.url}{policy.get_absolute_url()}")
    expect(page.get_by_test_id("policy-missing-declarations")).to_be_visible()
    _shot(page, "15-policy-detail")
