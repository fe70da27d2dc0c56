"""A credit limit from application to decision in a real browser (SPEC 5): the insured
applies (with the turnover calculator updating in place), an underwriter decides from the
queue, the insured sees the decision on the application and on the limit.

Assertions lean on data-testid hooks, URLs and data values rather than on interface
labels, so they hold in both languages as the catalogue grows.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from limits.choices import ApplicationStatus
from limits.models import LimitApplication
from policies.choices import PolicyStatus
from tests.factories import PASSWORD, BuyerCapacityFactory, BuyerFactory, PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(personas, insured_a):
    for grade in range(1, 8):
        BuyerCapacityFactory(risk_grade=grade, max_exposure=Decimal("10000000"))
    return {
        "policy": PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE),
        "buyer": BuyerFactory(risk_grade=4, name="深圳华星电子科技有限公司"),
        "underwriter": personas["senior_underwriter"],  # authority 20,000,000 ≥ 2,000,000
    }


def login(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_username) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")


def nav(page: Page, href: str):
    return page.get_by_test_id("nav").locator(f"a[href='{href}']")


def test_insured_applies_underwriter_decides_partially_insured_sees_it(journey, live_server, page):
    buyer = journey["buyer"]

    # The insured's approver applies for 2,000,000, using the turnover calculator.
    login(page, live_server, "insured_a")
    nav(page, "/limits/applications/").click()
    expect(page).to_have_url(f"{live_server.url}/limits/applications/")
    page.locator("a[href='/limits/applications/new/']").click()
    expect(page.get_by_test_id("application-form")).to_be_visible()

    calculator = page.get_by_test_id("calc-turnover")
    calculator.locator("input[name='turnover-annual_credit_sales']").fill("12,000,000")
    calculator.locator("input[name='turnover-credit_days']").fill("60")
    expect(page.get_by_test_id("turnover-result")).to_have_text("2,000,000.00")
    calculator.locator("button[data-amount]").click()  # "use as requested amount"
    expect(page.locator("#id_requested_amount")).to_have_value("2000000.00")

    form = page.get_by_test_id("application-form")
    form.locator("#id_buyer_uscc").fill(buyer.uscc)
    form.locator("#id_payment_terms_days").fill("60")
    form.locator("#id_expected_annual_sales").fill("12000000")
    form.locator("#id_goods").fill("电子元器件")
    form.locator("#id_trading_since").fill("2020-05-01")
    form.locator("#id_submit_now").check()
    page.get_by_test_id("application-save").click()
    expect(page).to_have_url(re.compile(r"/limits/applications/\d+/$"))
    expect(page.get_by_test_id("requested-amount")).to_have_text("2,000,000.00")
    application = LimitApplication.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.requested_amount == Decimal("2000000")

    # The underwriter finds it in the queue and approves 1,500,000 of it.
    login(page, live_server, journey["underwriter"].username)
    nav(page, "/limits/queue/").click()
    row = page.get_by_test_id("queue-row").filter(has_text=buyer.name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("2,000,000.00")
    row.get_by_test_id("queue-open").click()
    expect(page).to_have_url(f"{live_server.url}{application.get_absolute_url()}")
    expect(page.get_by_test_id("buyer-grade")).to_have_text("4")
    decide = page.get_by_test_id("decide-form")
    decide.locator("select[name='outcome']").select_option("partial")
    decide.locator("input[name='amount']").fill("1,500,000")
    decide.locator("select[name='reason_code']").select_option("14")
    decide.get_by_test_id("decide-submit").click()
    # A binding decision is stated first: 1,500,000 of the 2,000,000 asked, and confirmed.
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("confirm-effects")).to_contain_text("1,500,000.00")
    expect(dialog.get_by_test_id("confirm-effects")).to_contain_text("2,000,000.00")
    assert not application.decisions.exists()
    dialog.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("decision-amount")).to_have_text("1,500,000.00")
    expect(page.get_by_test_id("decide-form")).to_have_count(0)

    # The insured sees the decision: partly approved (RECECO 5), 1,500,000.00 of 2,000,000.
    login(page, live_server, "insured_a")
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    expect(page.get_by_test_id("application-outcome")).to_have_text(
        "部分批准 1,500,000.00 / 申请 2,000,000.00"
    )
    expect(page.get_by_test_id("decision-response")).to_contain_text("5")
    expect(page.get_by_test_id("decision-amount")).to_have_text("1,500,000.00")
    expect(page.get_by_test_id("decide-form")).to_have_count(0)
    page.get_by_test_id("current-limit").click()
    expect(page).to_have_url(re.compile(r"/limits/\d+/$"))
    expect(page.get_by_test_id("limit-amount")).to_have_text("1,500,000.00")
    expect(page.get_by_test_id("decisions").get_by_test_id("decision-response")).to_contain_text(
        "5"
    )


def test_an_underwriter_cancels_a_limit_only_after_the_dialog_says_what_ends(
    journey, live_server, page
):
    from limits.models import CreditLimit

    limit = CreditLimit.objects.create(
        policy=journey["policy"], buyer=journey["buyer"], amount=Decimal("1000000"),
        payment_terms_days=60, source="insurer", effective_from=journey["policy"].period_start,
    )  # fmt: skip
    login(page, live_server, journey["underwriter"].username)
    page.goto(f"{live_server.url}{limit.get_absolute_url()}")
    # A reduction needs an amount: left blank, it is refused, never read as a cancellation.
    reduce = page.get_by_test_id("reduce-form")
    reduce.locator("select[name='reason_code']").select_option("12")
    reduce.get_by_test_id("reduce-submit").click()
    expect(page.get_by_test_id("confirm-dialog")).to_have_count(0)
    expect(page.get_by_test_id("reduce-form").locator("[data-field='amount']")).to_be_visible()

    cancel = page.get_by_test_id("cancel-form")
    cancel.locator("select[name='reason_code']").select_option("3")
    cancel.get_by_test_id("cancel-submit").click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog.get_by_test_id("confirm-effects")).to_contain_text("1,000,000.00")
    dialog.get_by_test_id("confirm-back").click()  # changes nothing
    expect(page.get_by_test_id("confirm-dialog")).to_have_count(0)
    limit.refresh_from_db()
    assert limit.status == "active"
    cancel.get_by_test_id("cancel-submit").click()
    page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("limit-status")).to_have_text("已撤销")
