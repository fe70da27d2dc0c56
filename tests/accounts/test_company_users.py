"""SPEC 2: an insured's own administrator manages its users with portal roles."""

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from accounts.models import User
from accounts.services import company_user_create, company_user_set_active
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company_admin(insured_a):
    return UserFactory(
        username="a_admin", organisation=insured_a, role=Role.INSURED_ADMIN, authority_amount=0
    )


def test_the_administrator_adds_a_clerk_to_its_own_company(client, company_admin):
    client.force_login(company_admin)
    response = client.post(
        "/company/users/new/",
        {
            "username": "new_clerk",
            "first_name": "新文员",
            "email": "clerk@a.example.cn",
            "role": Role.CLERK,
            "password": "Long-enough-9!",
        },
    )
    assert response.status_code == 302
    clerk = User.objects.get(username="new_clerk")
    assert (clerk.organisation, clerk.role) == (company_admin.organisation, Role.CLERK)
    assert clerk.check_password("Long-enough-9!")


def test_a_weak_password_is_refused_naming_the_field(client, company_admin):
    client.force_login(company_admin)
    response = client.post(
        "/company/users/new/",
        {
            "username": "x",
            "first_name": "x",
            "email": "x@a.example.cn",
            "role": Role.CLERK,
            "password": "123",
        },
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="x").exists()


def test_staff_roles_cannot_be_given_by_a_company(company_admin):
    with pytest.raises(ValidationError) as info:
        company_user_create(
            actor=company_admin, username="evil", password="Long-enough-9!", role=Role.UNDERWRITER
        )
    assert "role" in info.value.message_dict


def test_only_the_company_administrator_manages_users(personas):
    with pytest.raises(PermissionError):
        company_user_create(
            actor=personas["insured_a"], username="x", password="Long-enough-9!", role=Role.CLERK
        )


def test_users_of_another_company_are_out_of_reach(client, company_admin, personas):
    client.force_login(company_admin)
    other = personas["insured_b"]
    assert client.post(f"/company/users/{other.pk}/active/", {"active": "0"}).status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_deactivate_and_reactivate_but_never_oneself(company_admin, personas):
    clerk = personas["insured_a_clerk"]
    company_user_set_active(actor=company_admin, user_id=clerk.pk, active=False)
    clerk.refresh_from_db()
    assert not clerk.is_active
    company_user_set_active(actor=company_admin, user_id=clerk.pk, active=True)
    with pytest.raises(ValidationError):
        company_user_set_active(actor=company_admin, user_id=company_admin.pk, active=False)


def test_the_list_shows_only_the_own_company(client, company_admin, personas):
    client.force_login(company_admin)
    response = client.get("/company/users/")
    names = {u.username for u in response.context["object_list"]}
    assert names == {"a_admin", "insured_a", "insured_a_clerk"}
