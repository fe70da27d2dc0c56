"""Policies and buyers through HTTP: fields named in errors, money as strings, scoping."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from buyers.models import Buyer
from core.uscc import ERROR_CHECKSUM
from policies.choices import PolicyStatus
from policies.models import Policy
from tests.conftest import api_as
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

NEW_POLICY = {
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "estimated_annual_turnover": "50000000.00",
    "premium_rate_percent": "0.5",
    "annual_credit_turnover": "60000000.00",
    "buyer_count": 10,
}


def test_an_underwriter_creates_a_policy_and_money_comes_back_as_strings(underwriter, insured_a):
    response = api_as(underwriter).post(
        "/api/v1/policies/", {**NEW_POLICY, "insured": insured_a.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["minimum_premium"] == "200000.00"
    assert body["max_liability"] == "10000000.00"
    assert body["status"] == PolicyStatus.DRAFT


def test_large_amounts_keep_every_cent(underwriter, insured_a):
    response = api_as(underwriter).post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured_a.pk, "max_discretionary_limit": "1234567890123456.78"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    stored = Policy.objects.get(pk=response.json()["id"]).max_discretionary_limit
    assert stored == Decimal("1234567890123456.78")


def test_validation_errors_name_the_field_and_nothing_is_written(underwriter, insured_a):
    response = api_as(underwriter).post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured_a.pk, "max_credit_period_days": 400},
        format="json",
    )
    assert response.status_code == 400
    assert "max_credit_period_days" in response.json()
    assert not Policy.objects.exists()


def test_a_period_ending_before_it_starts_is_refused(underwriter, insured_a):
    response = api_as(underwriter).post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured_a.pk, "period_end": "2025-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert not Policy.objects.exists()


def test_a_refused_transition_answers_400_naming_the_action(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    response = api_as(underwriter).post(
        f"/api/v1/policies/{policy.pk}/transition/", {"action": "issue"}, format="json"
    )
    assert response.status_code == 400
    assert "action" in response.json()


def test_status_cannot_be_patched(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    api_as(underwriter).patch(
        f"/api/v1/policies/{policy.pk}/", {"status": "in_force"}, format="json"
    )
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT


def test_insured_lists_only_its_own_policies(personas, policy_a, policy_b):
    response = api_as(personas["insured_a"]).get("/api/v1/policies/")
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [policy_a.pk]


def test_token_authentication_for_machine_clients(underwriter, policy_a):
    token = Token.objects.create(user=underwriter)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/v1/policies/{policy_a.pk}/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get(f"/api/v1/policies/{policy_a.pk}/").status_code == 401


def test_a_wrong_uscc_is_refused_with_a_clear_message(underwriter):
    response = api_as(underwriter).post(
        "/api/v1/buyers/",
        {"uscc": "91110000600037341M", "name": "北京测试有限公司", "industry": "C"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["uscc"] == [str(ERROR_CHECKSUM)]
    assert not Buyer.objects.exists()


def test_a_buyer_gets_its_region_from_the_uscc(underwriter):
    response = api_as(underwriter).post(
        "/api/v1/buyers/",
        {"uscc": "91110000600037341l", "name": "北京测试有限公司", "industry": "C"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    buyer = Buyer.objects.get()
    assert (buyer.uscc, buyer.region) == ("91110000600037341L", "11")


def test_a_duplicate_uscc_is_refused_naming_the_field(underwriter):
    payload = {"uscc": "91110000600037341L", "name": "北京测试有限公司", "industry": "C"}
    api_as(underwriter).post("/api/v1/buyers/", payload, format="json")
    response = api_as(underwriter).post("/api/v1/buyers/", payload, format="json")
    assert response.status_code == 400
    assert "uscc" in response.json()


def test_buyer_search_through_the_api(underwriter):
    from tests.factories import BuyerFactory

    target = BuyerFactory(name="苏州瑞丰纺织有限公司")
    BuyerFactory(name="青岛汇通物流有限公司")
    response = api_as(underwriter).get("/api/v1/buyers/", {"q": "瑞丰纺织"})
    assert [row["id"] for row in response.json()["results"]] == [target.pk]


def test_the_openapi_schema_lists_the_endpoints(api):
    response = api.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert "/api/v1/policies/{id}/transition/" in paths
    assert "/api/v1/buyers/" in paths


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/limit-applications/{id}/decide/" in target.read_text()
