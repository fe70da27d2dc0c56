"""Nobody gets in by guessing (issue 11 item 7, ASVS 5.0 V6.3): every login path (the
login page, the admin's, API tokens) refuses a username and address after
`AXES_FAILURE_LIMIT` failures, for the cool-off only, and only that pair: the real user
logging in from elsewhere, or after the cool-off, gets in."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


def after_cool_off():
    return time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1))


def log_in(path, username, password, address=ATTACKER, **meta):
    return Client(REMOTE_ADDR=address).post(
        path, {"username": username, "password": password}, **meta
    )


def guess(path, username, times, address=ATTACKER):
    return [log_in(path, username, f"guess-{n}", address).status_code for n in range(times)]


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_the_limit_th_wrong_password_locks_the_pair_out_and_the_right_one_is_refused_too(
    personas, path
):
    limit = settings.AXES_FAILURE_LIMIT
    assert guess(path, "admin", limit) == [200] * (limit - 1) + [429]
    response = log_in(path, "admin", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "_auth_user_id" not in response.client.session


def test_the_lockout_page_says_when_to_come_back(personas):
    guess("/login/", "underwriter", settings.AXES_FAILURE_LIMIT)
    response = log_in("/login/", "underwriter", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in response.content.decode()


def test_failures_on_the_admin_login_count_for_the_login_page(personas):
    guess("/admin/login/", "admin", settings.AXES_FAILURE_LIMIT)
    assert log_in("/login/", "admin", PASSWORD).status_code == 429


def test_the_real_user_from_another_address_is_not_locked_out(personas):
    guess("/login/", "underwriter", settings.AXES_FAILURE_LIMIT)
    assert log_in("/login/", "underwriter", PASSWORD, address=OFFICE).status_code == 302


def test_the_locked_out_address_may_still_log_in_as_another_user(personas):
    guess("/login/", "underwriter", settings.AXES_FAILURE_LIMIT)
    assert log_in("/login/", "claims_handler", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(personas):
    guess("/login/", "underwriter", settings.AXES_FAILURE_LIMIT)
    with after_cool_off():
        assert log_in("/login/", "underwriter", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(personas):
    limit = settings.AXES_FAILURE_LIMIT
    guess("/login/", "underwriter", limit - 1)
    assert log_in("/login/", "underwriter", PASSWORD).status_code == 302
    assert guess("/login/", "underwriter", limit - 1) == [200] * (limit - 1)


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(personas):
    guess("/login/", "underwriter", settings.AXES_FAILURE_LIMIT)
    response = log_in("/login/", "underwriter", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_appended(personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    # The client wrote the first address itself; the proxy appended the one it saw.
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(
            "/login/",
            "underwriter",
            f"guess-{n}",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        )
    locked = log_in(
        "/login/", "underwriter", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=ATTACKER
    )
    assert locked.status_code == 429
    office = log_in("/login/", "underwriter", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=OFFICE)
    assert office.status_code == 302


def api_client(key, address=ATTACKER):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_wrong_api_tokens_are_throttled_and_then_even_a_right_one_from_that_address(
    underwriter,
):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [api_client(f"{n:040x}").get("/api/v1/policies/").status_code for n in range(limit)]
    assert statuses == [401] * (limit - 1) + [429]
    key = Token.objects.create(user=underwriter).key
    refused = api_client(key).get("/api/v1/policies/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert refused.json() == {
        "detail": f"Too many failed login attempts. Try again in {minutes} minutes."
    }
    assert refused["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert api_client(key, address=OFFICE).get("/api/v1/policies/").status_code == 200
    with after_cool_off():
        assert api_client(key).get("/api/v1/policies/").status_code == 200


def test_wrong_api_tokens_do_not_lock_the_token_holder_out_of_the_login_page(underwriter):
    for n in range(settings.AXES_FAILURE_LIMIT):
        api_client(f"{n:040x}").get("/api/v1/policies/")
    assert log_in("/login/", "underwriter", PASSWORD).status_code == 302
