"""The chosen language is remembered per user (SPEC 11: Chinese by default, English on
request), whatever browser or device they log in from."""

import pytest
from django.test import Client

from accounts.models import User

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
