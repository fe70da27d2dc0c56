"""The security log (issue 11 item 7, ASVS 5.0 V16.3): failed logins, refused API
tokens, lockouts and permission refusals, each with the username, address and path,
never the password or the token."""

import logging
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
GUESS = "Sekret-guess-42!"


def events(lines, name):
    return [line for line in lines if line.startswith(name + " ")]


def post_login(path, username, password):
    return Client(REMOTE_ADDR=ATTACKER).post(path, {"username": username, "password": password})


def test_the_security_log_is_configured_with_a_handler_of_its_own():
    config = settings.LOGGING["loggers"]["tci.security"]
    assert config["handlers"] == ["security"]
    assert logging.getLogger("tci.security").handlers


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_a_failed_login_names_user_address_and_path_never_the_password(
    personas, security_log, caplog, path
):
    caplog.set_level(logging.DEBUG)
    post_login(path, "underwriter", GUESS)
    assert events(security_log, "login_failed") == [
        f"login_failed user=underwriter ip={ATTACKER} method=POST path={path}"
    ]
    assert GUESS not in "\n".join(security_log) + caplog.text


def test_a_lockout_is_logged(personas, security_log):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login("/login/", "underwriter", GUESS)
    assert events(security_log, "locked_out") == [
        f"locked_out user=underwriter ip={ATTACKER} method=POST path=/login/"
    ]
    assert post_login("/login/", "underwriter", PASSWORD).status_code == 429
    assert len(events(security_log, "locked_out")) == 2


def test_a_successful_login_is_logged_as_such(personas, security_log):
    post_login("/login/", "underwriter", PASSWORD)
    assert events(security_log, "login") == [
        f"login user=underwriter ip={ATTACKER} method=POST path=/login/"
    ]
    assert not events(security_log, "login_failed")


def test_a_refused_api_token_is_logged_without_the_token(personas, security_log, caplog):
    caplog.set_level(logging.DEBUG)
    client = APIClient(REMOTE_ADDR=ATTACKER)
    wrong = "0123456789abcdef0123456789abcdef01234567"
    client.credentials(HTTP_AUTHORIZATION=f"Token {wrong}")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.get("/api/v1/policies/")
    refused = events(security_log, "api_token_refused")
    assert refused[0] == f"api_token_refused user=- ip={ATTACKER} method=GET path=/api/v1/policies/"
    assert len(refused) == settings.AXES_FAILURE_LIMIT + 1
    assert refused[-1].endswith(" locked=yes")
    assert len(events(security_log, "api_token_locked_out")) == 1
    assert wrong not in "\n".join(security_log) + caplog.text


def test_a_permission_refusal_in_a_page_is_logged_with_the_user(personas, security_log):
    client = Client(REMOTE_ADDR=ATTACKER)
    client.force_login(personas["admin"])
    assert client.get("/admin/limits/limitdecision/add/").status_code == 403
    assert events(security_log, "permission_denied") == [
        f"permission_denied user=admin ip={ATTACKER} method=GET "
        "path=/admin/limits/limitdecision/add/"
    ]


def test_a_permission_refusal_in_the_api_names_the_token_user(personas, security_log):
    client = APIClient(REMOTE_ADDR=ATTACKER)
    key = Token.objects.create(user=personas["bank"]).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post("/api/v1/buyers/", {}, format="json")
    assert response.status_code == 403
    assert events(security_log, "permission_denied") == [
        f"permission_denied user=bank ip={ATTACKER} method=POST path=/api/v1/buyers/"
    ]


def test_a_csrf_refusal_is_logged(personas, security_log):
    client = Client(REMOTE_ADDR=ATTACKER, enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "underwriter", "password": GUESS}).status_code == 403
    assert events(security_log, "permission_denied") == [
        f"permission_denied user=- ip={ATTACKER} method=POST path=/login/"
    ]


def test_a_username_cannot_write_a_line_of_its_own(personas, security_log):
    post_login("/login/", "nobody\nlogin user=admin", GUESS)
    (line,) = events(security_log, "login_failed")
    assert "\n" not in line
    assert "user=nobody\\x0alogin" in line


def test_a_session_ended_for_idleness_is_logged(personas, security_log):
    client = Client(REMOTE_ADDR=ATTACKER)
    client.force_login(personas["underwriter"])
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        client.get("/")
    assert events(security_log, "session_ended") == [
        f"session_ended user=underwriter ip={ATTACKER} method=GET path=/ reason=idle"
    ]
