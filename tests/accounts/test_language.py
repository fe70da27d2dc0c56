"""The chosen language is remembered per user (SPEC 11: Chinese by default, English on
request), whatever browser or device they log in from."""

import pytest
from django.test import Client

from accounts.models import User
from tests.banks.conftest import activate, buyers, capacities, policy, prepare  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def page_language(response) -> str:
    return response.headers["Content-Language"]


def test_a_new_user_reads_chinese_even_if_the_browser_asks_for_english(personas):
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas["insured_a"])
    assert personas["insured_a"].language == "zh-hans"
    response = client.get("/")
    assert page_language(response) == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_switching_language_is_remembered_on_the_user_and_applied_on_the_next_login(personas):
    user = personas["insured_a"]
    client = Client()
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"

    # Another device: no language cookie, a Chinese browser; the user's choice wins.
    elsewhere = Client(headers={"accept-language": "zh-CN"})
    elsewhere.force_login(user)
    response = elsewhere.get("/")
    assert page_language(response) == "en"
    assert "Insured portal" in response.content.decode()


def test_an_unknown_language_changes_nothing(personas):
    user = personas["insured_a"]
    client = Client()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "zh-hans"


def test_the_login_page_follows_the_browser(db):
    response = Client(headers={"accept-language": "en"}).get("/login/")
    assert page_language(response) == "en"


# The bank portal and the agreement page as a Chinese reader sees them (issue 9): the
# headings are the catalogue's Chinese, none is left in English.


def chinese_page(user, url) -> str:
    assert user.language == "zh-hans"
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert page_language(response) == "zh-hans"
    return response.content.decode()


def assert_translated(html, pairs):
    for english, chinese in pairs:
        assert chinese in html, chinese
        assert f">{english}<" not in html and f">{english} " not in html, english


@pytest.fixture
def agreement(personas, policy, bank_org, buyers):  # noqa: F811 (the fixtures imported)
    return activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))


def test_the_bank_portal_reads_chinese(personas, agreement):
    html = chinese_page(personas["bank"], "/bank/")
    assert agreement.reference in html
    assert_translated(html, [
        ("Policies assigned to your bank", "赔款转让给贵行的保单"),
        ("Covered buyers", "协议项下买方"),
        ("Financing capacity", "可融资额度"),
        ("Indemnity payable", "应付赔款"),
        ("Indemnity paid", "已付赔款"),
        ("New since you last looked", "上次查看后的新动态"),
        ("Agreement status", "协议状态"),
        ("Agreement ends on", "协议止期"),
        ("Signed copy", "签署件"),
        ("Active", "已生效"),
    ])  # fmt: skip
    feed = chinese_page(personas["bank"], "/bank/feed/")
    assert_translated(feed, [("What changed", "最新动态"), ("Agreement in force", "协议生效")])
    assert "与" + agreement.policy.insured.name + "的赔款转让协议 " + agreement.reference in feed


def test_the_agreement_page_reads_chinese(personas, agreement):
    html = chinese_page(personas["insured_a"], f"/banks/agreements/{agreement.pk}/")
    assert_translated(html, [
        ("Assignment agreement", "赔款转让协议"),
        ("Terms", "协议条款"),
        ("Insured (party A)", "被保险人（甲方）"),
        ("Bank (party C)", "银行（丙方）"),
        ("Period", "协议期限"),
        ("Indemnities paid to", "赔款收款账户"),
        ("Covered buyers and financing capacity", "协议项下买方与可融资额度"),
        ("Report your receivables", "报送应收账款"),
        ("Receivables outstanding", "应收账款余额"),
        ("Active", "已生效"),
    ])  # fmt: skip
