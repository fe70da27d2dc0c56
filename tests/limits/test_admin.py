"""The administrator configures the automatic-decision rule set in the admin (SPEC 5)."""

from decimal import Decimal

import pytest

from buyers.models import Buyer
from limits.models import AutoDecisionGradeRule, AutoDecisionSettings, CreditLimit
from policies.choices import PolicyStatus
from tests.factories import BuyerFactory, PolicyFactory

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


def test_grade_10_set_in_the_admin_suspends_the_buyers_limits(client, personas, insured_a):
    """Defect: the admin saved the grade without the service, so limits stayed active."""
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    buyer = BuyerFactory(risk_grade=4)
    limit = CreditLimit.objects.create(
        policy=policy, buyer=buyer, amount=Decimal("100000"), payment_terms_days=60,
        source="insurer", effective_from=policy.period_start,
    )  # fmt: skip
    client.force_login(personas["admin"])
    page = client.get(f"/admin/buyers/buyer/{buyer.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(risk_grade=10, is_public_body="", former_names="")
    for prefix in ("negative_events",):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(f"/admin/buyers/buyer/{buyer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Buyer.objects.get(pk=buyer.pk).risk_grade == 10
    limit.refresh_from_db()
    assert limit.status == "suspended"


def test_a_policy_cannot_be_edited_in_the_admin(client, personas, insured_a):
    """Defect: an in-force policy's schedule could be edited there, past the services."""
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    client.force_login(personas["admin"])
    assert client.get(f"/admin/policies/policy/{policy.pk}/change/").status_code == 200
    response = client.post(f"/admin/policies/policy/{policy.pk}/change/", {"franchise": "1"})
    assert response.status_code == 403
