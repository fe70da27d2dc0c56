"""Sessions end (issue 11 item 7, ASVS 5.0 V7.3): staff after 30 minutes without
activity, portal users after 60, everybody 12 hours after logging in."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.sessions import LOGGED_IN_AT, POLL_HEADER
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


@pytest.fixture
def start():
    return timezone.now()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(moment):
    return time_machine.travel(moment, tick=False)


def is_in(client) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_staff_session_ends_after_30_minutes_without_activity(personas, start):
    client = logged_in(personas["underwriter"])
    with at(start + 29 * MINUTE):
        assert is_in(client)
    with at(start + 29 * MINUTE + 29 * MINUTE):
        assert is_in(client)  # the visit at 29 minutes was activity
    with at(start + 58 * MINUTE + 31 * MINUTE):
        response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    # In the user's own language (Chinese by default), as the pages they were reading.
    assert "您已 30 分钟无操作，已自动退出登录。" in page.content.decode()


def test_a_portal_session_lasts_60_minutes_without_activity(personas, start):
    client = logged_in(personas["insured_a"])
    with at(start + 59 * MINUTE):
        assert is_in(client)
    with at(start + 59 * MINUTE + 61 * MINUTE):
        assert not is_in(client)


@pytest.mark.parametrize("persona", ["underwriter", "bank"])
def test_every_session_ends_12_hours_after_the_login_however_busy(personas, start, persona):
    client = logged_in(personas[persona])
    lifetime = settings.SESSION_ABSOLUTE_TIMEOUT
    moment = start
    while moment + 20 * MINUTE < start + lifetime:
        moment += 20 * MINUTE
        with at(moment):
            assert is_in(client)
    with at(start + lifetime + MINUTE):
        assert not is_in(client)


def test_a_page_refreshing_itself_does_not_keep_the_session_alive(personas, start):
    client = logged_in(personas["underwriter"])
    with at(start + 20 * MINUTE):
        assert client.get("/limits/queue/", headers={POLL_HEADER: "1"}).status_code == 200
    with at(start + 31 * MINUTE):
        assert not is_in(client)


def test_an_htmx_request_after_the_end_loads_the_login_page_whole(personas, start):
    client = logged_in(personas["underwriter"])
    with at(start + 31 * MINUTE):
        response = client.get("/limits/queue/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/limits/queue/"


def test_the_api_answers_an_ended_session_as_no_credentials(personas, start):
    client = logged_in(personas["underwriter"])
    assert client.get("/api/v1/policies/").status_code == 200
    with at(start + 31 * MINUTE):
        assert client.get("/api/v1/policies/").status_code in (401, 403)


def test_a_session_from_before_the_clocks_ends_once(personas):
    client = logged_in(personas["underwriter"])
    session = client.session
    del session[LOGGED_IN_AT]
    session.save()
    assert not is_in(client)
    client.force_login(personas["underwriter"])
    assert is_in(client)


def test_the_session_cookie_lives_no_longer_than_the_session(personas):
    response = Client().post("/login/", {"username": "underwriter", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
