"""The administrator configures the automatic-decision rule set in the admin (SPEC 5)."""

from decimal import Decimal

import pytest

from limits.models import AutoDecisionGradeRule, AutoDecisionSettings

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/limits/autodecisionsettings/",
    "/admin/limits/autodecisiongraderule/",
    "/admin/limits/autodecisionexclusion/",
    "/admin/limits/creditlimit/",
    "/admin/limits/limitapplication/",
    "/admin/limits/limitdecision/",
    "/admin/limits/limitreview/",
    "/admin/buyers/buyer/",
    "/admin/buyers/buyercapacity/",
    "/admin/policies/policy/",
    "/admin/accounts/user/",
    "/admin/accounts/organisation/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_for_the_administrator(client, personas, path):
    client.force_login(personas["admin"])
    assert client.get(path).status_code == 200


def test_the_administrator_sets_a_grade_rule(client, personas):
    client.force_login(personas["admin"])
    response = client.post(
        "/admin/limits/autodecisiongraderule/add/", {"risk_grade": 3, "max_amount": "500000.00"}
    )
    assert response.status_code == 302
    assert AutoDecisionGradeRule.objects.get().max_amount == Decimal("500000.00")


def test_there_is_one_rule_set(client, personas):
    AutoDecisionSettings.objects.create()
    client.force_login(personas["admin"])
    assert client.get("/admin/limits/autodecisionsettings/add/").status_code == 403


def test_decisions_cannot_be_edited_in_the_admin(client, personas):
    client.force_login(personas["admin"])
    assert client.get("/admin/limits/limitdecision/add/").status_code == 403
