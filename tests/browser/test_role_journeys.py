"""What each role sees in a real browser (SPEC 2): login, landing page, lists, detail pages,
and the 404 for anything outside the role's scope. Data is the demo data set (demo/data.py).

Assertions lean on data-testid hooks, URLs, HTTP status and data values (names, counts)
rather than on interface labels, so they hold in both languages while the catalogue grows.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from demo.data import DEMO_PASSWORD, ORGANISATIONS, load_demo_data
from policies.models import Policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INSURER = ORGANISATIONS["insurer"]["name"]
INSURED_A = ORGANISATIONS["insured_a"]["name"]
INSURED_B = ORGANISATIONS["insured_b"]["name"]
DEMO_POLICIES = {INSURED_A: 2, INSURED_B: 3}
DEMO_BUYERS = 50


@pytest.fixture
def demo():
    return load_demo_data(today=timezone.localdate())


def login(page: Page, live_server, username: str) -> None:
    response = page.goto(f"{live_server.url}/login/")
    assert response.status == 200
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_username) button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("home-title")).to_be_visible()


def nav_link(page: Page, href: str):
    return page.get_by_test_id("nav").locator(f"a[href='{href}']")


def list_rows(page: Page):
    return page.get_by_test_id("list-table").locator("tbody tr:has(a)")


def policy_pk(insured_name: str) -> int:
    return Policy.objects.filter(insured__name=insured_name).values_list("pk", flat=True)[0]


def test_underwriter_sees_both_insureds_and_the_buyer_register(demo, live_server, page):
    response = page.goto(f"{live_server.url}/login/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    login(page, live_server, "underwriter")
    expect(page.get_by_test_id("home-title")).to_contain_text(INSURER)
    expect(page.get_by_test_id("policy-count")).to_have_text(str(sum(DEMO_POLICIES.values())))
    expect(page.get_by_test_id("buyer-count")).to_have_text(str(DEMO_BUYERS))
    expect(page.get_by_test_id("user-menu")).to_contain_text("王核保")

    nav_link(page, "/policies/").click()
    expect(page).to_have_url(f"{live_server.url}/policies/")
    rows = list_rows(page)
    expect(rows).to_have_count(sum(DEMO_POLICIES.values()))
    for insured, count in DEMO_POLICIES.items():
        expect(rows.filter(has_text=insured)).to_have_count(count)
    # Column kinds become cell classes; Bootstrap's .badge on a cell broke the table.
    expect(page.get_by_test_id("list-table").locator("th.badge, td.badge")).to_have_count(0)

    row = rows.filter(has_text=INSURED_B).first
    number = row.locator("a").inner_text()
    row.locator("a").click()
    expect(page).to_have_url(re.compile(r"/policies/\d+/$"))
    expect(page.locator("h1")).to_contain_text(number.split("/")[0])
    expect(page.get_by_test_id("policy-status")).to_be_visible()
    expect(page.locator("main")).to_contain_text(INSURED_B)
    expect(page.get_by_test_id("transitions")).to_be_visible()

    nav_link(page, "/buyers/").click()
    expect(page).to_have_url(f"{live_server.url}/buyers/")
    expect(page.locator("main h1")).to_contain_text(str(DEMO_BUYERS))
    expect(list_rows(page)).to_have_count(DEMO_BUYERS)

    page.fill("#id_q", "华星")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]q=%E5%8D%8E%E6%98%9F"))
    found = list_rows(page)
    expect(found).to_have_count(4)
    for name in found.locator("td:first-child a").all_inner_texts():
        assert "华星" in name
    expect(page.locator("#id_q")).to_have_value("华星")

    found.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/buyers/\d+/$"))
    expect(page.locator("h1")).to_contain_text("华星")
    expect(page.get_by_test_id("risk-grade")).to_be_visible()
    expect(page.get_by_test_id("exposure")).to_be_visible()


def test_insured_approver_sees_only_own_policies(demo, live_server, page):
    login(page, live_server, "seller")
    expect(page.get_by_test_id("home-title")).to_contain_text(INSURED_A)
    expect(page.get_by_test_id("policy-count")).to_have_text(str(DEMO_POLICIES[INSURED_A]))
    expect(page.locator("main")).not_to_contain_text(INSURED_B)

    nav_link(page, "/policies/").click()
    rows = list_rows(page)
    expect(rows).to_have_count(DEMO_POLICIES[INSURED_A])
    expect(rows.filter(has_text=INSURED_A)).to_have_count(DEMO_POLICIES[INSURED_A])
    expect(page.locator("main")).not_to_contain_text(INSURED_B)

    own = rows.first.locator("a")
    own.click()
    expect(page).to_have_url(re.compile(r"/policies/\d+/$"))
    expect(page.locator("main")).to_contain_text(INSURED_A)
    # Underwriting controls are not for the insured.
    expect(page.locator("form[action$='/transition/']")).to_have_count(0)

    response = page.goto(f"{live_server.url}/policies/{policy_pk(INSURED_B)}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(INSURED_B)

    response = page.goto(f"{live_server.url}/buyers/new/")
    assert response.status == 404


def test_bank_user_sees_only_the_policy_assigned_to_it(demo, live_server, page):
    """The demo bank finances insured A under an agreement in force (demo/banks.py); insured
    B's draft agreement gives it nothing yet (SPEC 2, 8)."""
    login(page, live_server, "bank")
    expect(page.get_by_test_id("home-title")).to_contain_text(ORGANISATIONS["bank"]["name"])
    expect(page.get_by_test_id("policy-count")).to_have_text("1")
    expect(page.get_by_test_id("assigned-policy")).to_contain_text(INSURED_A)
    expect(nav_link(page, "/buyers/")).to_have_count(0)

    response = page.goto(f"{live_server.url}/policies/")
    assert response.status == 200
    expect(list_rows(page)).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(INSURED_B)

    response = page.goto(f"{live_server.url}/policies/{policy_pk(INSURED_B)}/")
    assert response.status == 404


def test_language_switch_to_english_and_back(demo, live_server, page):
    login(page, live_server, "underwriter")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    # "Home" is in Django's own catalogue, so it is Chinese already today.
    expect(nav_link(page, "/")).not_to_have_text("Home")
    switch = page.locator("nav select[name=language]")
    expect(switch).to_have_value("zh-hans")

    with page.expect_navigation():
        switch.select_option("en")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(html).to_have_attribute("lang", "en")
    expect(switch).to_have_value("en")
    nav = page.get_by_test_id("nav")
    expect(nav_link(page, "/policies/")).to_have_text("Policies")
    expect(nav_link(page, "/buyers/")).to_have_text("Buyers")
    expect(nav).to_contain_text("Home")

    # The choice sticks (language cookie) on the next page.
    nav_link(page, "/policies/").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_contain_text("Policies")

    with page.expect_navigation():
        switch.select_option("zh-hans")
    expect(page).to_have_url(f"{live_server.url}/policies/")
    expect(html).to_have_attribute("lang", "zh-hans")
