"""The API says what is true (SPEC 11): errors on fields the client sent, lists paginated
as the schema says, unknown query parameters refused, and a filter on someone else's id
answered exactly like a filter on an id that does not exist."""

from decimal import Decimal

import pytest
from django.utils import timezone

from limits import services as limit_services
from limits.models import CreditLimit
from policies.choices import PolicyStatus
from tests.conftest import api_as
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _list_endpoints():
    from config.api_urls import router

    return [
        f"/api/v1/{prefix}/"
        for prefix, viewset, _basename in router.registry
        if hasattr(viewset, "list")
    ]


# --- errors name what the client sent -------------------------------------------------------


def test_a_capacity_refusal_of_an_approval_names_no_field_the_client_did_not_send(
    personas, insured_a, insured_b
):
    """SPEC 4: no decision takes the buyer above capacity; the client sent only outcome."""
    today = timezone.localdate()
    BuyerCapacityFactory(risk_grade=4, max_exposure=Decimal("10000000"))
    buyer = BuyerFactory(risk_grade=4)
    live_a = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    live_b = PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE)
    CreditLimit.objects.create(
        policy=live_b, buyer=buyer, amount=Decimal("9000000"), payment_terms_days=60,
        source="insurer", effective_from=today,
    )  # fmt: skip
    application = limit_services.application_create(
        actor=personas["insured_a"], policy_id=live_a.pk, buyer_uscc=buyer.uscc,
        requested_amount=Decimal("1000000.01"), submit=True,
    )  # fmt: skip
    response = api_as(personas["senior_underwriter"]).post(
        f"/api/v1/limit-applications/{application.pk}/decide/",
        {"outcome": "approve"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) <= {"outcome", "non_field_errors"}, body
    assert "10000000" in " ".join(body.get("non_field_errors", []) + body.get("outcome", []))


def test_a_refusal_of_an_action_without_a_body_is_on_no_field(personas, world):
    """Approving an application that waits for nobody: the service names `status`."""
    url = f"/api/v1/limit-applications/{world['app_submitted']}/approve/"
    response = api_as(personas["underwriter"]).post(url, {}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


# --- lists are what the schema says ------------------------------------------------------------


def test_a_policys_transitions_are_a_paginated_list(personas, underwriter):
    policy = PolicyFactory(insured=personas["insured_a"].organisation, status=PolicyStatus.DRAFT)
    api_as(underwriter).post(
        f"/api/v1/policies/{policy.pk}/transition/", {"action": "quote"}, format="json"
    )
    body = api_as(personas["insured_a"]).get(f"/api/v1/policies/{policy.pk}/transitions/").json()
    assert set(body) == {"next", "previous", "results"}  # no COUNT over every match (B7)
    assert [row["action"] for row in body["results"]] == ["quote"]


def test_nullable_relations_are_nullable_in_the_schema(api):
    schemas = api.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for component, field in [
        ("LimitApplication", "submitted_by"),
        ("LimitApplication", "proposed_by"),
        ("LimitDecision", "decided_by"),
        ("LimitDecision", "approved_by"),
        ("LimitReview", "completed_by"),
        ("PolicyTransition", "actor"),
    ]:
        assert schemas[component]["properties"][field].get("nullable") is True, (component, field)


# --- query parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize("parameter", ["search", "uscc", "page_size", "statuss"])
@pytest.mark.parametrize("role", ["underwriter", "insured_a"])
def test_an_unknown_query_parameter_is_refused_on_every_list(personas, world, role, parameter):
    client = api_as(personas[role])
    for url in _list_endpoints():
        if role == "insured_a" and url.split("/")[3] in {"limit-reviews", "limit-queue"}:
            continue  # staff-only lists answer 403 before looking at the query
        response = client.get(url, {parameter: "x"})
        assert response.status_code == 400, (url, response.status_code)
        assert list(response.json()) == [parameter], url


def test_known_query_parameters_are_still_taken(personas, world):
    client = api_as(personas["underwriter"])
    for url in _list_endpoints():
        assert client.get(url, {"page": 1}).status_code == 200, url
    assert client.get("/api/v1/buyers/", {"q": "深圳", "ordering": "name"}).status_code == 200
    assert client.get("/api/v1/policies/", {"status": "draft"}).status_code == 200
    assert client.get("/api/v1/policies/1/transitions/", {"page": 1}).status_code in (200, 404)


def test_a_detail_refuses_an_unknown_query_parameter_too(personas, world):
    response = api_as(personas["underwriter"]).get(
        f"/api/v1/policies/{world['policy_a']}/", {"fields": "id"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["fields"]


@pytest.mark.parametrize(
    "url,parameter,theirs",
    [
        ("/api/v1/limit-applications/", "policy", "live_a"),
        ("/api/v1/limit-decisions/", "policy", "live_a"),
        ("/api/v1/limit-applications/", "buyer", "buyer_a"),
        ("/api/v1/limit-decisions/", "credit_limit", "limit_a"),
    ],
)
def test_someone_elses_id_in_a_filter_answers_like_a_missing_one(
    personas, world, url, parameter, theirs
):
    client = api_as(personas["insured_b"])  # the ids are insured A's
    others = client.get(url, {parameter: world[theirs]})
    missing = client.get(url, {parameter: 987654321})
    assert (others.status_code, others.json()) == (missing.status_code, missing.json())
    assert others.status_code == 200
    assert others.json()["results"] == []


def test_a_filter_id_that_is_not_a_number_is_refused_naming_it(personas, world):
    response = api_as(personas["insured_a"]).get("/api/v1/limit-applications/", {"policy": "x"})
    assert response.status_code == 400
    assert list(response.json()) == ["policy"]
