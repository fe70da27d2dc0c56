"""Passwords of at least 12 characters, none of the common ones (issue 11 item 7, ASVS
5.0 V6.2), wherever a password is chosen: a company's new user, a password change."""

import pytest
from django.contrib.auth.password_validation import validate_password

from accounts.choices import Role
from accounts.models import User
from demo.data import DEMO_PASSWORD, DEMO_USERS
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ELEVEN = "Abc-defg-12"
COMMON = "password1234"  # in Django's list of 20,000 common passwords


@pytest.fixture
def company_admin(insured_a):
    return UserFactory(
        username="a_admin", organisation=insured_a, role=Role.INSURED_ADMIN, authority_amount=0
    )


def add_user(client, password):
    return client.post(
        "/company/users/new/",
        {
            "username": "new_clerk",
            "first_name": "新文员",
            "email": "clerk@a.example.cn",
            "role": Role.CLERK,
            "password": password,
        },
    )


@pytest.mark.parametrize("password", [ELEVEN, COMMON])
def test_a_new_user_with_a_short_or_common_password_is_refused(client, company_admin, password):
    client.force_login(company_admin)
    response = add_user(client, password)
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="new_clerk").exists()


def test_a_twelve_character_password_is_accepted(client, company_admin):
    client.force_login(company_admin)
    assert add_user(client, ELEVEN + "3").status_code == 302


@pytest.mark.parametrize("password", [ELEVEN, COMMON])
def test_a_password_change_to_a_short_or_common_one_is_refused(client, underwriter, password):
    client.force_login(underwriter)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    underwriter.refresh_from_db()
    assert underwriter.check_password(PASSWORD)


def test_the_demo_and_test_passwords_pass_the_rules_themselves(personas):
    for username, *_ in DEMO_USERS:
        validate_password(
            DEMO_PASSWORD, User(username=username, email=f"{username}@demo.example.cn")
        )
    validate_password(PASSWORD, personas["underwriter"])
