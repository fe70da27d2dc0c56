"""Credit limits through HTTP (SPEC 2, 4, 5): fields named in refusals, money as strings,
nothing half-written on error, four-eyes and capacity as the API shows them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import Role
from buyers.models import Buyer, NegativeEvent
from core.money import ERROR_NOT_A_STRING
from core.uscc import ERROR_CHECKSUM
from limits import services
from limits.api.serializers import ERROR_BUYER_UNKNOWN
from limits.choices import (
    ApplicationStatus,
    LimitSource,
    LimitStatus,
    PendingOrdersStatus,
    ResponseCode,
    ReviewReason,
    ReviewStatus,
)
from limits.models import (
    AutoDecisionGradeRule,
    AutoDecisionSettings,
    CreditLimit,
    LimitApplication,
    LimitDecision,
    LimitReview,
    PendingOrdersCover,
)
from limits.rules import add_months
from limits.services import ERROR_OWN_PROPOSAL
from policies.choices import PolicyStatus
from tests.conftest import api_as
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_USCC = "91110000600037341L"  # valid check character, not in the register


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def grade_capacities(db):
    """Capacity per grade (SPEC 4): 10,000,000 up to grade 7, none from 8."""
    for grade in range(1, 11):
        BuyerCapacityFactory(
            risk_grade=grade, max_exposure=Decimal("10000000") if grade <= 7 else Decimal(0)
        )


@pytest.fixture
def in_force_a(insured_a):
    return PolicyFactory(
        insured=insured_a, status=PolicyStatus.IN_FORCE, max_discretionary_limit=Decimal("500000")
    )


@pytest.fixture
def in_force_b(insured_b):
    return PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE)


@pytest.fixture
def grade4_buyer(grade_capacities):
    return BuyerFactory(risk_grade=4)


@pytest.fixture
def insurer_limit(in_force_a, grade4_buyer, today):
    """A 1,000,000 limit the insurer granted on insured A's buyer."""
    return CreditLimit.objects.create(
        policy=in_force_a,
        buyer=grade4_buyer,
        amount=Decimal("1000000"),
        payment_terms_days=90,
        source=LimitSource.INSURER,
        effective_from=in_force_a.period_start,
    )


def apply(personas, policy, buyer, amount="2000000.00", submit=True, role="insured_a", **extra):
    """An application through the API, as insured A's approver by default."""
    body = {
        "policy": policy.pk,
        "buyer_uscc": buyer.uscc,
        "requested_amount": amount,
        "payment_terms_days": 60,
        "submit": submit,
        **extra,
    }
    response = api_as(personas[role]).post("/api/v1/limit-applications/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def decide(user, application_id, **body):
    return api_as(user).post(
        f"/api/v1/limit-applications/{application_id}/decide/", body, format="json"
    )


def nothing_decided():
    return not LimitDecision.objects.exists() and not CreditLimit.objects.exists()


# --- credit limits: list, filter, reduce, cancel --------------------------------------------


def test_an_insured_lists_only_its_own_limits_with_amounts_as_strings(
    personas, insurer_limit, in_force_b
):
    CreditLimit.objects.create(
        policy=in_force_b,
        buyer=BuyerFactory(),
        amount=Decimal("250000.50"),
        payment_terms_days=60,
        source=LimitSource.INSURER,
        effective_from=insurer_limit.effective_from,
    )
    rows = api_as(personas["insured_a"]).get("/api/v1/credit-limits/").json()["results"]
    assert [(row["id"], row["amount"]) for row in rows] == [(insurer_limit.pk, "1000000.00")]
    assert len(api_as(personas["underwriter"]).get("/api/v1/credit-limits/").json()["results"]) == 2


def test_limits_are_filtered_by_buyer_uscc_through_the_shared_filterset(
    personas, insurer_limit, in_force_a, today
):
    CreditLimit.objects.create(
        policy=in_force_a,
        buyer=BuyerFactory(),
        amount=Decimal("1"),
        payment_terms_days=30,
        source=LimitSource.INSURER,
        effective_from=today,
    )
    response = api_as(personas["underwriter"]).get(
        "/api/v1/credit-limits/", {"q": insurer_limit.buyer.uscc.lower()}
    )
    assert [row["id"] for row in response.json()["results"]] == [insurer_limit.pk]


def test_the_limit_list_does_not_grow_queries_with_rows(
    personas, in_force_a, grade_capacities, today, django_assert_max_num_queries
):
    for _ in range(15):
        CreditLimit.objects.create(
            policy=in_force_a,
            buyer=BuyerFactory(),
            amount=Decimal("1000"),
            payment_terms_days=30,
            source=LimitSource.INSURER,
            effective_from=today,
        )
    client = api_as(personas["insured_a"])
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/credit-limits/").json()["results"]) == 15


def test_an_underwriter_reduces_a_limit_and_gets_the_decision(personas, insurer_limit, today):
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/",
        {"amount": "400000.55", "notice_on": today.isoformat(), "reason_code": "12"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["response_code"], body["amount"], body["reason_code"]) == (
        ResponseCode.REDUCTION,
        "400000.55",
        "12",
    )
    assert body["effective_on"] == today.isoformat()
    insurer_limit.refresh_from_db()
    assert insurer_limit.amount == Decimal("400000.55")


@pytest.mark.parametrize("amount", ["", None, "0", "0.00"])
def test_a_blank_null_or_zero_amount_never_cancels_a_limit(personas, insurer_limit, today, amount):
    response = api_as(personas["senior_underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/",
        {"amount": amount, "notice_on": today.isoformat(), "reason_code": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    insurer_limit.refresh_from_db()
    assert insurer_limit.status == LimitStatus.ACTIVE
    assert not LimitDecision.objects.exists()


def test_an_omitted_amount_is_refused_too(personas, insurer_limit, today):
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/",
        {"notice_on": today.isoformat(), "reason_code": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()


def test_cancelling_is_its_own_action(personas, insurer_limit, today):
    url = f"/api/v1/credit-limits/{insurer_limit.pk}/cancel/"
    body = {"notice_on": today.isoformat(), "reason_code": "3"}
    assert api_as(personas["insured_a"]).post(url, body, format="json").status_code == 403
    assert api_as(personas["insured_b"]).post(url, body, format="json").status_code == 404
    response = api_as(personas["senior_underwriter"]).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["response_code"], response.json()["amount"]) == (
        ResponseCode.CANCELLATION,
        None,
    )
    insurer_limit.refresh_from_db()
    assert insurer_limit.status == LimitStatus.CANCELLED
    again = api_as(personas["senior_underwriter"]).post(url, body, format="json")
    assert again.status_code == 400 and "non_field_errors" in again.json()


def test_a_cancellation_with_notice_ahead_is_scheduled(personas, insurer_limit, today):
    effective_on = today + timedelta(days=10)
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/cancel/",
        {
            "notice_on": today.isoformat(),
            "effective_on": effective_on.isoformat(),
            "reason_code": "3",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    insurer_limit.refresh_from_db()
    assert insurer_limit.status == LimitStatus.ACTIVE
    assert (insurer_limit.scheduled_amount, insurer_limit.scheduled_effective_on) == (
        Decimal("0"),
        effective_on,
    )


def test_a_reduction_with_notice_ahead_is_scheduled_for_its_effective_date(
    personas, insurer_limit, today
):
    effective_on = today + timedelta(days=30)
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/",
        {
            "amount": "600000",
            "notice_on": today.isoformat(),
            "effective_on": effective_on.isoformat(),
            "reason_code": "12",
            "conditions": "Shipments after the effective date only.",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    insurer_limit.refresh_from_db()
    assert insurer_limit.amount == Decimal("1000000")
    assert (insurer_limit.scheduled_amount, insurer_limit.scheduled_effective_on) == (
        Decimal("600000"),
        effective_on,
    )


@pytest.mark.parametrize(
    "body,field",
    [
        ({"amount": "1000000.00"}, "amount"),  # not below the current limit
        ({"amount": "-1.00"}, "amount"),
        ({"amount": 400000.5}, "amount"),  # a JSON number goes through a float
        ({"amount": "1.001"}, "amount"),
        ({"amount": "400000", "reason_code": "99"}, "reason_code"),
        ({"amount": "400000", "notice_on": "25/11/2026"}, "notice_on"),
        ({"amount": "400000", "effective_on": "2000-01-01"}, "effective_on"),
    ],
)
def test_a_refused_reduction_names_the_field_and_changes_nothing(
    personas, insurer_limit, today, body, field
):
    payload = {"notice_on": today.isoformat(), "reason_code": "12", **body}
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    insurer_limit.refresh_from_db()
    assert (insurer_limit.amount, insurer_limit.status) == (Decimal("1000000"), LimitStatus.ACTIVE)
    assert not LimitDecision.objects.exists()


def test_money_as_a_json_number_is_refused_with_a_message(personas, insurer_limit, today):
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/",
        {"amount": 12345.5, "notice_on": today.isoformat(), "reason_code": "12"},
        format="json",
    )
    assert response.json()["amount"] == [str(ERROR_NOT_A_STRING)]


def test_an_ended_limit_cannot_be_reduced(personas, insurer_limit, today):
    services.limit_cancel(
        actor=personas["underwriter"], limit_id=insurer_limit.pk, notice_on=today,
        reason_code="12",
    )  # fmt: skip
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/",
        {"amount": "1", "notice_on": today.isoformat(), "reason_code": "12"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]  # the client sent no "limit"


@pytest.mark.parametrize(
    "role,status",
    [("claims_handler", 403), ("insured_a", 403), ("insured_b", 404), ("bank", 404)],
)
def test_only_underwriters_reduce_and_an_invisible_limit_is_a_404(
    personas, insurer_limit, today, role, status
):
    response = api_as(personas[role]).post(
        f"/api/v1/credit-limits/{insurer_limit.pk}/reduce/",
        {"amount": "1", "notice_on": today.isoformat(), "reason_code": "12"},
        format="json",
    )
    assert response.status_code == status
    assert not LimitDecision.objects.exists()


# --- discretionary limits ---------------------------------------------------------------------


def test_an_approver_sets_a_discretionary_limit_by_uscc(personas, in_force_a, grade4_buyer):
    response = api_as(personas["insured_a"]).post(
        "/api/v1/credit-limits/discretionary/",
        {
            "policy": in_force_a.pk,
            "buyer_uscc": grade4_buyer.uscc.lower(),
            "amount": "500000.00",
            "payment_terms_days": 60,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["source"], body["buyer"]) == (
        "500000.00",
        LimitSource.DISCRETIONARY,
        grade4_buyer.pk,
    )
    decision = LimitDecision.objects.get()
    assert (decision.decided_by, decision.response_code) == (
        personas["insured_a"],
        ResponseCode.APPROVED,
    )


def test_a_discretionary_limit_is_changed_by_buyer_id_once_the_insured_sees_the_buyer(
    personas, in_force_a, grade4_buyer
):
    client = api_as(personas["insured_a"])
    body = {"policy": in_force_a.pk, "amount": "100000", "payment_terms_days": 60}
    client.post(
        "/api/v1/credit-limits/discretionary/",
        {**body, "buyer_uscc": grade4_buyer.uscc},
        format="json",
    )
    response = client.post(
        "/api/v1/credit-limits/discretionary/",
        {**body, "buyer": grade4_buyer.pk, "amount": "200000.01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert CreditLimit.objects.get().amount == Decimal("200000.01")


@pytest.mark.parametrize(
    "change,field",
    [
        ({"amount": "500000.01"}, "amount"),  # above the policy's discretionary maximum
        ({"amount": "0"}, "amount"),
        ({"amount": 1000.5}, "amount"),
        ({"payment_terms_days": 121}, "payment_terms_days"),  # above the policy's 120 days
        ({"buyer_uscc": NEW_USCC}, "buyer_uscc"),
        ({"buyer_uscc": ""}, "buyer"),
    ],
)
def test_a_refused_discretionary_limit_names_the_field_and_writes_nothing(
    personas, in_force_a, grade4_buyer, change, field
):
    body = {
        "policy": in_force_a.pk,
        "buyer_uscc": grade4_buyer.uscc,
        "amount": "100000",
        "payment_terms_days": 60,
        **change,
    }
    response = api_as(personas["insured_a"]).post(
        "/api/v1/credit-limits/discretionary/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert nothing_decided()


def test_an_unknown_uscc_is_named_in_the_refusal(personas, in_force_a, grade_capacities):
    response = api_as(personas["insured_a"]).post(
        "/api/v1/credit-limits/discretionary/",
        {"policy": in_force_a.pk, "buyer_uscc": NEW_USCC, "amount": "1", "payment_terms_days": 1},
        format="json",
    )
    assert response.json()["buyer_uscc"] == [str(ERROR_BUYER_UNKNOWN)]


def test_a_wrong_uscc_is_named_with_what_is_wrong(personas, in_force_a, grade_capacities):
    response = api_as(personas["insured_a"]).post(
        "/api/v1/credit-limits/discretionary/",
        {
            "policy": in_force_a.pk,
            "buyer_uscc": "91110000600037341M",
            "amount": "1",
            "payment_terms_days": 1,
        },
        format="json",
    )
    assert response.json()["buyer_uscc"] == [str(ERROR_CHECKSUM)]


def test_a_discretionary_limit_needs_a_policy_in_force(personas, insured_a, grade4_buyer):
    draft = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    response = api_as(personas["insured_a"]).post(
        "/api/v1/credit-limits/discretionary/",
        {
            "policy": draft.pk,
            "buyer_uscc": grade4_buyer.uscc,
            "amount": "1",
            "payment_terms_days": 1,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "policy" in response.json()
    assert nothing_decided()


def test_a_buyer_id_the_insured_cannot_see_is_refused(personas, in_force_a, grade4_buyer):
    response = api_as(personas["insured_a"]).post(
        "/api/v1/credit-limits/discretionary/",
        {"policy": in_force_a.pk, "buyer": grade4_buyer.pk, "amount": "1", "payment_terms_days": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "buyer" in response.json()


def test_another_insureds_policy_is_refused_like_a_missing_one(personas, in_force_a, grade4_buyer):
    response = api_as(personas["insured_b"]).post(
        "/api/v1/credit-limits/discretionary/",
        {
            "policy": in_force_a.pk,
            "buyer_uscc": grade4_buyer.uscc,
            "amount": "1",
            "payment_terms_days": 1,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "policy" in response.json()
    assert nothing_decided()


@pytest.mark.parametrize("role", ["insured_a_clerk", "underwriter", "admin", "bank"])
def test_only_insured_approvers_set_discretionary_limits(personas, in_force_a, grade4_buyer, role):
    response = api_as(personas[role]).post(
        "/api/v1/credit-limits/discretionary/",
        {
            "policy": in_force_a.pk,
            "buyer_uscc": grade4_buyer.uscc,
            "amount": "1",
            "payment_terms_days": 1,
        },
        format="json",
    )
    assert response.status_code == 403
    assert nothing_decided()


def test_a_discretionary_limit_beyond_the_buyers_capacity_is_refused_naming_amount(
    personas, in_force_a, in_force_b, grade4_buyer, today
):
    CreditLimit.objects.create(
        policy=in_force_b,
        buyer=grade4_buyer,
        amount=Decimal("9800000"),
        payment_terms_days=60,
        source=LimitSource.INSURER,
        effective_from=today,
    )
    response = api_as(personas["insured_a"]).post(
        "/api/v1/credit-limits/discretionary/",
        {
            "policy": in_force_a.pk,
            "buyer_uscc": grade4_buyer.uscc,
            "amount": "200000.01",
            "payment_terms_days": 60,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert CreditLimit.objects.count() == 1


# --- applications: create, submit, withdraw ---------------------------------------------------


def test_a_clerk_prepares_an_application_and_large_amounts_keep_every_cent(
    personas, in_force_a, grade4_buyer
):
    body = apply(
        personas,
        in_force_a,
        grade4_buyer,
        amount="1234567890123456.78",
        submit=False,
        role="insured_a_clerk",
        expected_annual_sales="9999999999999999.99",
        goods="锂电池模组",
        trading_since="2020-03-01",
        sales_last_12_months="3600000.10",
        largest_invoice="480000.00",
        overdue_amount="0.01",
        worst_delay_days=12,
        guarantor="深圳担保集团有限公司",
    )
    assert body["status"] == ApplicationStatus.DRAFT
    assert (body["requested_amount"], body["expected_annual_sales"], body["overdue_amount"]) == (
        "1234567890123456.78",
        "9999999999999999.99",
        "0.01",
    )
    stored = LimitApplication.objects.get()
    assert stored.requested_amount == Decimal("1234567890123456.78")
    assert stored.expected_annual_sales == Decimal("9999999999999999.99")
    assert (stored.prepared_by, stored.request_type) == (personas["insured_a_clerk"], "2")


def test_an_application_for_a_buyer_not_yet_in_the_register_creates_it(
    personas, in_force_a, grade_capacities
):
    response = api_as(personas["insured_a"]).post(
        "/api/v1/limit-applications/",
        {
            "policy": in_force_a.pk,
            "buyer_uscc": NEW_USCC,
            "buyer_name": "北京测试有限公司",
            "buyer_industry": "C",
            "requested_amount": "800000",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["buyer_uscc"] == NEW_USCC
    assert Buyer.objects.get(uscc=NEW_USCC).region == "11"


@pytest.mark.parametrize(
    "change,field",
    [
        ({"payment_terms_days": 150}, "payment_terms_days"),  # above the policy's 120
        ({"payment_terms_days": 400}, "payment_terms_days"),
        ({"buyer_name": ""}, "buyer_name"),
        ({"requested_amount": ""}, "requested_amount"),
        ({"requested_amount": "0"}, "requested_amount"),
        ({"requested_amount": 800000.5}, "requested_amount"),
        ({"overdue_amount": "-1"}, "overdue_amount"),
        ({"buyer_uscc": "91110000600037341M"}, "buyer_uscc"),  # wrong check character
        ({"request_type": "3"}, "request_type"),  # an increase without a limit
        ({"request_type": "9"}, "request_type"),
        ({"buyer_industry": "Q9"}, "buyer_industry"),
    ],
)
def test_a_refused_application_names_the_field_and_leaves_no_buyer_behind(
    personas, in_force_a, grade_capacities, change, field
):
    body = {
        "policy": in_force_a.pk,
        "buyer_uscc": NEW_USCC,
        "buyer_name": "北京测试有限公司",
        "buyer_industry": "C",
        "requested_amount": "800000",
        "submit": True,
        **change,
    }
    response = api_as(personas["insured_a"]).post(
        "/api/v1/limit-applications/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not LimitApplication.objects.exists()
    assert not Buyer.objects.exists()


def test_a_second_open_application_on_the_same_buyer_is_refused(personas, in_force_a, grade4_buyer):
    apply(personas, in_force_a, grade4_buyer)
    response = api_as(personas["insured_a"]).post(
        "/api/v1/limit-applications/",
        {"policy": in_force_a.pk, "buyer_uscc": grade4_buyer.uscc, "requested_amount": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert "buyer_uscc" in response.json()
    assert LimitApplication.objects.count() == 1


def test_an_application_on_another_insureds_policy_is_refused(personas, in_force_a, grade4_buyer):
    response = api_as(personas["insured_b"]).post(
        "/api/v1/limit-applications/",
        {"policy": in_force_a.pk, "buyer_uscc": grade4_buyer.uscc, "requested_amount": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert "policy" in response.json()


@pytest.mark.parametrize("role", ["underwriter", "claims_manager", "admin", "bank"])
def test_only_insured_users_apply(personas, in_force_a, grade4_buyer, role):
    response = api_as(personas[role]).post(
        "/api/v1/limit-applications/",
        {"policy": in_force_a.pk, "buyer_uscc": grade4_buyer.uscc, "requested_amount": "1"},
        format="json",
    )
    assert response.status_code == 403
    assert not LimitApplication.objects.exists()


def test_a_clerk_asking_to_submit_gets_a_draft_that_waits_for_an_approver(
    personas, in_force_a, grade4_buyer
):
    """SPEC 2: a submission by a clerk waits for an approver of the same company."""
    body = apply(personas, in_force_a, grade4_buyer, submit=True, role="insured_a_clerk")
    assert (body["status"], body["submitted_by"]) == (ApplicationStatus.DRAFT, None)


def test_a_clerks_draft_waits_for_an_approver_who_submits_it(personas, in_force_a, grade4_buyer):
    draft = apply(personas, in_force_a, grade4_buyer, submit=False, role="insured_a_clerk")
    url = f"/api/v1/limit-applications/{draft['id']}/submit/"
    assert api_as(personas["insured_a_clerk"]).post(url).status_code == 403
    assert api_as(personas["underwriter"]).post(url).status_code == 404  # drafts are the insured's
    response = api_as(personas["insured_a"]).post(url)
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["submitted_by"]) == (
        ApplicationStatus.SUBMITTED,
        "insured_a",
    )
    again = api_as(personas["insured_a"]).post(url)
    assert again.status_code == 400
    assert list(again.json()) == ["non_field_errors"]


def test_the_insured_withdraws_a_submitted_application(personas, in_force_a, grade4_buyer):
    application = apply(personas, in_force_a, grade4_buyer)
    url = f"/api/v1/limit-applications/{application['id']}/withdraw/"
    assert api_as(personas["underwriter"]).post(url).status_code == 403
    assert api_as(personas["insured_b"]).post(url).status_code == 404
    response = api_as(personas["insured_a_clerk"]).post(url)
    assert response.status_code == 200
    assert response.json()["status"] == ApplicationStatus.WITHDRAWN


def test_a_small_application_is_decided_automatically_and_the_insured_sees_no_workings(
    personas, in_force_a, grade4_buyer
):
    AutoDecisionSettings.objects.create(enabled=True, capacity_headroom_percent=Decimal("20"))
    AutoDecisionGradeRule.objects.create(risk_grade=4, max_amount=Decimal("200000"))
    body = apply(personas, in_force_a, grade4_buyer, amount="150000.00")
    assert body["status"] == ApplicationStatus.DECIDED
    assert [d["automatic"] for d in body["decisions"]] == [True]
    assert "auto_note" not in body
    assert "explanation" not in body["decisions"][0]
    assert "proposed_amount" not in body
    staff_view = api_as(personas["underwriter"]).get(f"/api/v1/limit-applications/{body['id']}/")
    # The rule that decided, with the figures it compared (amount and grade maximum).
    assert "150,000.00" in staff_view.json()["auto_note"]
    assert "200,000.00" in staff_view.json()["auto_note"]
    assert CreditLimit.objects.get().amount == Decimal("150000.00")


def test_the_insured_is_told_why_an_application_waits_without_the_insurers_figures(
    personas, in_force_a, grade4_buyer
):
    AutoDecisionSettings.objects.create(enabled=True, capacity_headroom_percent=Decimal("20"))
    AutoDecisionGradeRule.objects.create(risk_grade=4, max_amount=Decimal("200000"))
    # The answer to the POST already carries the reason, in the language asked for.
    client = api_as(personas["insured_a"])
    response = client.post(
        "/api/v1/limit-applications/",
        {
            "policy": in_force_a.pk,
            "buyer_uscc": grade4_buyer.uscc,
            "requested_amount": "250000.00",
            "payment_terms_days": 60,
            "submit": True,
        },
        format="json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == ApplicationStatus.SUBMITTED
    assert body["waiting_reason_code"] == "limits.queue.above_automatic"
    assert body["waiting_reason"] == (
        "Above the amount decided automatically: an underwriter decides."
    )
    assert "auto_note" not in body
    # Staff read the same application with the ceiling it was compared with.
    staff = api_as(personas["underwriter"]).get(
        f"/api/v1/limit-applications/{body['id']}/", headers={"accept-language": "zh-hans"}
    )
    assert (
        staff.json()["auto_note"] == "申请金额 250,000.00 超过风险等级 4 的自动审批上限 200,000.00"
    )
    assert staff.json()["waiting_reason_code"] == "limits.queue.above_automatic"


def test_application_lists_are_scoped_and_staff_never_see_drafts(
    personas, in_force_a, in_force_b, grade_capacities, django_assert_max_num_queries
):
    submitted = [apply(personas, in_force_a, BuyerFactory())["id"] for _ in range(3)]
    draft = apply(personas, in_force_a, BuyerFactory(), submit=False)["id"]
    apply(personas, in_force_b, BuyerFactory(), role="insured_b")

    def ids(role):
        return {
            row["id"]
            for row in api_as(personas[role]).get("/api/v1/limit-applications/").json()["results"]
        }

    assert ids("insured_a") == {*submitted, draft}
    assert draft not in ids("underwriter")
    assert len(ids("claims_handler")) == 4
    assert ids("bank") == set()
    assert (
        api_as(personas["senior_underwriter"])
        .get(f"/api/v1/limit-applications/{draft}/")
        .status_code
        == 404
    )
    client = api_as(personas["underwriter"])
    with django_assert_max_num_queries(5):
        client.get("/api/v1/limit-applications/")


# --- decisions on applications: outcome, four-eyes, capacity -----------------------------------


def test_an_underwriter_approves_within_authority(personas, in_force_a, grade4_buyer):
    application = apply(personas, in_force_a, grade4_buyer, amount="800000.00")
    response = decide(personas["underwriter"], application["id"], outcome="approve")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == ApplicationStatus.DECIDED
    [decision] = body["decisions"]
    assert (decision["response_code"], decision["amount"], decision["decided_by"]) == (
        ResponseCode.APPROVED,
        "800000.00",
        "underwriter",
    )
    limit = CreditLimit.objects.get()
    assert (limit.amount, limit.source) == (Decimal("800000.00"), LimitSource.INSURER)


# Issue 10: what one decision costs through the API, as a machine client calls it (Token
# header). Inside the test's transaction BEGIN and COMMIT are a savepoint and its release.
# Granted: the address's failed-login count (accounts.authentication reads it before the
# token, so that a locked-out guesser learns nothing); token and user; the application
# and its buyer locked, with the capacity and the relation to the insured; the exposure;
# the limit, the decision; the insured's users, their notifications and e-mails (two
# users here); the banks financing the buyer; the decision letter (documents app: its
# lock, lookup, reference, row and status row in savepoints of its own); the limit's
# history row; the banks' agreements; the application's status and its status row. The
# new limit's and the letter's first status are each written in a savepoint
# (core.transitions.create). The answer is from memory.
DECISION_QUERIES = 29
# Refused for capacity: failed-login count, token; the savepoint, the locks, the exposure,
# rolled back.
CAPACITY_REFUSAL_QUERIES = 7


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_decision_through_the_api_costs_a_fixed_number_of_queries(
    personas, in_force_a, grade4_buyer, django_assert_max_num_queries
):
    application = apply(personas, in_force_a, grade4_buyer, amount="800000.00")
    client = token_client(personas["underwriter"])
    ContentType.objects.get_for_model(LimitDecision)  # cached, as in a running server
    with django_assert_max_num_queries(DECISION_QUERIES):
        response = client.post(
            f"/api/v1/limit-applications/{application['id']}/decide/",
            {"outcome": "approve"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    # Served from memory, the answer is what a fresh read shows.
    fresh = api_as(personas["underwriter"]).get(f"/api/v1/limit-applications/{application['id']}/")
    assert response.json() == fresh.json()


def test_a_capacity_refusal_through_the_api_stops_after_the_exposure_read(
    personas, in_force_a, in_force_b, grade4_buyer, django_assert_max_num_queries
):
    CreditLimit.objects.create(
        policy=in_force_b, buyer=grade4_buyer, amount=Decimal("9500000"), payment_terms_days=60,
        source=LimitSource.INSURER, effective_from=in_force_b.period_start,
    )  # fmt: skip
    application = apply(personas, in_force_a, grade4_buyer, amount="800000.00")
    client = token_client(personas["underwriter"])
    with django_assert_max_num_queries(CAPACITY_REFUSAL_QUERIES):
        response = client.post(
            f"/api/v1/limit-applications/{application['id']}/decide/",
            {"outcome": "partial", "amount": "600000.00"},
            format="json",
        )
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]  # SPEC 4's capacity refusal, on the amount
    assert not LimitDecision.objects.exists()
    assert CreditLimit.objects.filter(policy=in_force_a).count() == 0


def test_a_partial_approval_with_shorter_terms_and_an_expiry(personas, in_force_a, grade4_buyer):
    application = apply(personas, in_force_a, grade4_buyer, amount="2000000.00")
    expires_on = (timezone.localdate() + timedelta(days=180)).isoformat()
    response = decide(
        personas["senior_underwriter"],
        application["id"],
        outcome="partial",
        amount="1500000.50",
        payment_terms_days=45,
        expires_on=expires_on,
        reason_code="14",
        conditions="Temporary limit for the season.",
    )
    assert response.status_code == 200, response.json()
    [decision] = response.json()["decisions"]
    assert (decision["response_code"], decision["amount"], decision["payment_terms_days"]) == (
        ResponseCode.PARTLY_APPROVED,
        "1500000.50",
        45,
    )
    limit = CreditLimit.objects.get()
    assert (limit.amount, limit.payment_terms_days, limit.expires_on.isoformat()) == (
        Decimal("1500000.50"),
        45,
        expires_on,
    )


def test_a_refusal_grants_nothing(personas, in_force_a, grade4_buyer):
    application = apply(personas, in_force_a, grade4_buyer)
    response = decide(
        personas["underwriter"], application["id"], outcome="refuse", reason_code="12"
    )
    assert response.json()["decisions"][0]["response_code"] == ResponseCode.NOT_APPROVED
    assert not CreditLimit.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"outcome": "partial", "amount": "2000000.00"}, "amount"),  # not below the request
        ({"outcome": "partial"}, "amount"),
        ({"outcome": "partial", "amount": 1000000.5}, "amount"),
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "approve", "payment_terms_days": 121}, "payment_terms_days"),
        ({"outcome": "approve", "reason_code": "0"}, "reason_code"),
        ({}, "outcome"),
    ],
)
def test_a_refused_decision_names_the_field_and_writes_nothing(
    personas, in_force_a, grade4_buyer, body, field
):
    application = apply(personas, in_force_a, grade4_buyer)
    response = decide(personas["senior_underwriter"], application["id"], **body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert LimitApplication.objects.get().status == ApplicationStatus.SUBMITTED
    assert nothing_decided()


def test_above_authority_the_decision_waits_for_a_second_underwriter(
    personas, in_force_a, grade4_buyer, insurer
):
    """SPEC 2 four-eyes: the proposer cannot approve; a second one with authority can."""
    application = apply(personas, in_force_a, grade4_buyer, amount="2000000.00")
    url = f"/api/v1/limit-applications/{application['id']}/"
    proposer = personas["underwriter"]  # authority 1,000,000
    proposed = decide(proposer, application["id"], outcome="approve")
    assert proposed.status_code == 200, proposed.json()
    assert proposed.json()["status"] == ApplicationStatus.AWAITING_SECOND_APPROVAL
    assert (proposed.json()["proposed_amount"], proposed.json()["proposed_by"]) == (
        "2000000.00",
        "underwriter",
    )
    assert nothing_decided()

    own = api_as(proposer).post(url + "approve/")
    assert own.status_code == 400
    assert own.json()["non_field_errors"] == [str(ERROR_OWN_PROPOSAL)]
    peer = UserFactory(organisation=insurer, role=Role.UNDERWRITER, authority_amount=1000000)
    short = api_as(peer).post(url + "approve/")
    assert short.status_code == 400
    assert list(short.json()) == ["non_field_errors"]
    assert api_as(personas["claims_manager"]).post(url + "approve/").status_code == 403
    assert api_as(personas["insured_a"]).post(url + "approve/").status_code == 403
    assert nothing_decided()

    approved = api_as(personas["senior_underwriter"]).post(url + "approve/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == ApplicationStatus.DECIDED
    decision = LimitDecision.objects.get()
    assert (decision.decided_by, decision.approved_by, decision.amount) == (
        proposer,
        personas["senior_underwriter"],
        Decimal("2000000.00"),
    )
    assert CreditLimit.objects.get().amount == Decimal("2000000.00")


def test_a_second_underwriter_sends_a_proposal_back_to_the_queue(
    personas, in_force_a, grade4_buyer
):
    application = apply(personas, in_force_a, grade4_buyer, amount="2000000.00")
    decide(personas["underwriter"], application["id"], outcome="approve")
    url = f"/api/v1/limit-applications/{application['id']}/send-back/"
    assert api_as(personas["underwriter"]).post(url, {"note": "x"}).status_code == 400
    missing = api_as(personas["senior_underwriter"]).post(url, {}, format="json")
    assert "note" in missing.json()
    response = api_as(personas["senior_underwriter"]).post(
        url, {"note": "Ask for the 2025 accounts."}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["proposed_amount"], body["proposed_by"]) == (
        ApplicationStatus.SUBMITTED,
        None,
        None,
    )
    assert "Ask for the 2025 accounts." in body["auto_note"]


def test_a_decision_beyond_the_buyers_capacity_answers_400_on_no_unsent_field(
    personas, in_force_a, in_force_b, grade4_buyer, today
):
    """SPEC 4: no decision takes the aggregate exposure above capacity (10,000,000)."""
    CreditLimit.objects.create(
        policy=in_force_b,
        buyer=grade4_buyer,
        amount=Decimal("9000000"),
        payment_terms_days=60,
        source=LimitSource.INSURER,
        effective_from=today,
    )
    application = apply(personas, in_force_a, grade4_buyer, amount="1000000.01")
    response = decide(personas["senior_underwriter"], application["id"], outcome="approve")
    assert response.status_code == 400
    assert "10000000" in response.json()["non_field_errors"][0]  # no "amount" was sent
    assert LimitApplication.objects.get().status == ApplicationStatus.SUBMITTED
    assert CreditLimit.objects.count() == 1
    assert not LimitDecision.objects.exists()
    exact = apply(personas, in_force_a, BuyerFactory(), amount="1000000.00")
    assert decide(personas["senior_underwriter"], exact["id"], outcome="approve").status_code == 200


def test_a_decided_application_cannot_be_decided_again(personas, in_force_a, grade4_buyer):
    application = apply(personas, in_force_a, grade4_buyer, amount="1000.00")
    decide(personas["underwriter"], application["id"], outcome="approve")
    response = decide(personas["underwriter"], application["id"], outcome="refuse")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert LimitDecision.objects.count() == 1


@pytest.mark.parametrize(
    "role,status", [("claims_handler", 403), ("insured_a", 403), ("insured_b", 404), ("bank", 404)]
)
def test_only_underwriters_decide(personas, in_force_a, grade4_buyer, role, status):
    application = apply(personas, in_force_a, grade4_buyer, amount="1000.00")
    assert decide(personas[role], application["id"], outcome="approve").status_code == status
    assert nothing_decided()


def test_machine_clients_decide_with_a_token(personas, in_force_a, grade4_buyer):
    application = apply(personas, in_force_a, grade4_buyer, amount="1000.00")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas['underwriter']).key}"
    )
    response = client.post(
        f"/api/v1/limit-applications/{application['id']}/decide/",
        {"outcome": "approve"},
        format="json",
    )
    assert response.status_code == 200


# --- decisions and pending orders ------------------------------------------------------------


def _reduce(personas, limit, notice_on, amount="400000"):
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{limit.pk}/reduce/",
        {"amount": amount, "notice_on": notice_on.isoformat(), "reason_code": "12"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_decisions_are_scoped_and_the_insured_does_not_see_the_reasoning(
    personas, insurer_limit, today
):
    decision = _reduce(personas, insurer_limit, today)
    staff = api_as(personas["claims_handler"]).get("/api/v1/limit-decisions/").json()["results"]
    assert [row["id"] for row in staff] == [decision["id"]]
    assert "explanation" in staff[0]
    own = api_as(personas["insured_a"]).get(f"/api/v1/limit-decisions/{decision['id']}/")
    assert own.status_code == 200
    assert "explanation" not in own.json()
    assert own.json()["amount"] == "400000.00"
    for role in ("insured_b", "bank"):
        url = f"/api/v1/limit-decisions/{decision['id']}/"
        assert api_as(personas[role]).get(url).status_code == 404


def test_decisions_are_filtered_by_limit(personas, insurer_limit, in_force_a, today):
    other = CreditLimit.objects.create(
        policy=in_force_a,
        buyer=BuyerFactory(),
        amount=Decimal("500000"),
        payment_terms_days=30,
        source=LimitSource.INSURER,
        effective_from=today,
    )
    _reduce(personas, insurer_limit, today)
    wanted = _reduce(personas, other, today, amount="100000")
    response = api_as(personas["underwriter"]).get(
        "/api/v1/limit-decisions/", {"credit_limit": other.pk}
    )
    assert [row["id"] for row in response.json()["results"]] == [wanted["id"]]


def _pending_orders(personas, decision_id, today, amount="1200000.00", role="insured_a"):
    return api_as(personas[role]).post(
        f"/api/v1/limit-decisions/{decision_id}/pending-orders/",
        {
            "requested_on": today.isoformat(),
            "contract_reference": "HT-2026-118",
            "contract_signed_on": (today - timedelta(days=60)).isoformat(),
            "contract_amount": amount,
        },
        format="json",
    )


def test_pending_orders_are_covered_up_to_the_old_limit_after_a_reduction(
    personas, in_force_a, grade4_buyer, today
):
    """SPEC 5: asked within 8 days, contract signed within 6 months before the notice;
    the old limit still covers deliveries for 3 months after the notice."""
    application = apply(personas, in_force_a, grade4_buyer, amount="1000000.00")
    decide(personas["underwriter"], application["id"], outcome="approve")
    decision = _reduce(personas, CreditLimit.objects.get(), today)
    response = _pending_orders(personas, decision["id"], today)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["covered_amount"], body["cover_until"]) == (
        PendingOrdersStatus.ACCEPTED,
        "1000000.00",  # the old limit, not the contract's 1,200,000
        add_months(today, 3).isoformat(),
    )


def test_pending_orders_on_a_limit_without_earlier_decisions_use_the_old_amount(
    personas, insurer_limit, today
):
    """A limit with no decision in its chain (as one carried over at renewal) still
    covers pending orders up to the amount it had before the cut."""
    decision = _reduce(personas, insurer_limit, today)
    response = _pending_orders(personas, decision["id"], today)
    assert response.json()["covered_amount"] == "1000000.00"


def test_a_late_pending_orders_request_is_refused_naming_the_field_and_recorded(
    personas, insurer_limit, today
):
    decision = _reduce(personas, insurer_limit, today - timedelta(days=9))
    response = api_as(personas["insured_a"]).post(
        f"/api/v1/limit-decisions/{decision['id']}/pending-orders/",
        {
            "requested_on": today.isoformat(),
            "contract_reference": "HT-2026-119",
            "contract_signed_on": (today - timedelta(days=400)).isoformat(),
            "contract_amount": "100000",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"requested_on", "contract_signed_on"} <= set(response.json())
    # SPEC 5: the refusal itself is kept, with its reasons.
    assert PendingOrdersCover.objects.get().status == PendingOrdersStatus.REFUSED


def test_pending_orders_for_an_overdue_buyer_are_refused(personas, insurer_limit, today):
    NegativeEvent.objects.create(
        buyer=insurer_limit.buyer, kind="overdue_report", occurred_on=today - timedelta(days=5)
    )
    decision = _reduce(personas, insurer_limit, today)
    response = api_as(personas["insured_a"]).post(
        f"/api/v1/limit-decisions/{decision['id']}/pending-orders/",
        {
            "requested_on": today.isoformat(),
            "contract_reference": "HT-1",
            "contract_signed_on": today.isoformat(),
            "contract_amount": "1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_pending_orders_need_a_reduction_or_cancellation(personas, in_force_a, grade4_buyer):
    application = apply(personas, in_force_a, grade4_buyer, amount="1000.00")
    decided = decide(personas["underwriter"], application["id"], outcome="approve").json()
    today = timezone.localdate().isoformat()
    response = api_as(personas["insured_a"]).post(
        f"/api/v1/limit-decisions/{decided['decisions'][0]['id']}/pending-orders/",
        {
            "requested_on": today,
            "contract_reference": "HT-1",
            "contract_signed_on": today,
            "contract_amount": "1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert not PendingOrdersCover.objects.exists()


@pytest.mark.parametrize(
    "role,status",
    [("insured_a_clerk", 403), ("underwriter", 403), ("insured_b", 404), ("bank", 404)],
)
def test_only_the_insureds_approver_asks_for_pending_orders(
    personas, insurer_limit, today, role, status
):
    decision = _reduce(personas, insurer_limit, today)
    response = api_as(personas[role]).post(
        f"/api/v1/limit-decisions/{decision['id']}/pending-orders/",
        {
            "requested_on": today.isoformat(),
            "contract_reference": "HT-1",
            "contract_signed_on": today.isoformat(),
            "contract_amount": "1",
        },
        format="json",
    )
    assert response.status_code == status
    assert not PendingOrdersCover.objects.exists()


# --- reviews ------------------------------------------------------------------------------------


@pytest.fixture
def open_review(insurer_limit, today):
    return LimitReview.objects.create(
        credit_limit=insurer_limit, reason=ReviewReason.YEARLY, due_on=today
    )


def test_reviews_are_the_insurers_own_work(personas, open_review):
    rows = api_as(personas["claims_handler"]).get("/api/v1/limit-reviews/").json()["results"]
    assert [(row["id"], row["limit_amount"]) for row in rows] == [(open_review.pk, "1000000.00")]
    assert api_as(personas["insured_a"]).get("/api/v1/limit-reviews/").status_code == 403
    url = f"/api/v1/limit-reviews/{open_review.pk}/"
    assert api_as(personas["insured_a"]).get(url).status_code == 404


def test_an_underwriter_confirms_a_review(personas, open_review):
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/limit-reviews/{open_review.pk}/complete/", {"outcome": "confirm"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["outcome"], body["completed_by"]) == (
        ReviewStatus.DONE,
        "confirm",
        "underwriter",
    )
    assert LimitDecision.objects.get().pk == body["decision"]
    again = api_as(personas["underwriter"]).post(
        f"/api/v1/limit-reviews/{open_review.pk}/complete/", {"outcome": "confirm"}, format="json"
    )
    assert again.status_code == 400
    assert list(again.json()) == ["non_field_errors"]


def test_a_review_reduces_the_limit(personas, open_review, today):
    response = api_as(personas["senior_underwriter"]).post(
        f"/api/v1/limit-reviews/{open_review.pk}/complete/",
        {"outcome": "reduce", "amount": "300000.00", "notice_on": today.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    open_review.credit_limit.refresh_from_db()
    assert open_review.credit_limit.amount == Decimal("300000.00")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"outcome": "reduce"}, "amount"),
        ({"outcome": "reduce", "amount": "1000000.00"}, "amount"),
        ({"outcome": "shrug"}, "outcome"),
    ],
)
def test_a_refused_review_names_the_field_and_stays_open(personas, open_review, body, field):
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/limit-reviews/{open_review.pk}/complete/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    open_review.refresh_from_db()
    assert open_review.status == ReviewStatus.OPEN
    assert not LimitDecision.objects.exists()


def test_claims_staff_see_reviews_but_do_not_complete_them(personas, open_review):
    response = api_as(personas["claims_manager"]).post(
        f"/api/v1/limit-reviews/{open_review.pk}/complete/", {"outcome": "confirm"}, format="json"
    )
    assert response.status_code == 403


# --- the underwriters' queue -------------------------------------------------------------------


def test_the_queue_shows_open_applications_oldest_first_with_exposure_and_age(
    personas, in_force_a, in_force_b, grade4_buyer, today, django_assert_max_num_queries
):
    CreditLimit.objects.create(
        policy=in_force_b,
        buyer=grade4_buyer,
        amount=Decimal("2500000.25"),
        payment_terms_days=60,
        source=LimitSource.INSURER,
        effective_from=today,
    )
    NegativeEvent.objects.create(
        buyer=grade4_buyer, kind="court_judgment", occurred_on=today - timedelta(days=400)
    )
    newer = apply(personas, in_force_a, BuyerFactory(), amount="1000.00")
    older = apply(personas, in_force_a, grade4_buyer, amount="3000000.00")
    apply(personas, in_force_a, BuyerFactory(), submit=False)  # a draft is not queued
    LimitApplication.objects.filter(pk=older["id"]).update(
        submitted_at=timezone.now() - timedelta(days=10)
    )
    decide(personas["underwriter"], newer["id"], outcome="approve")  # decided: leaves the queue
    waiting = apply(personas, in_force_a, BuyerFactory(), amount="2000000.00")
    decide(personas["underwriter"], waiting["id"], outcome="approve")  # awaits a second one

    client = api_as(personas["senior_underwriter"])
    with django_assert_max_num_queries(4):
        rows = client.get("/api/v1/limit-queue/").json()["results"]
    assert [row["id"] for row in rows] == [older["id"], waiting["id"]]
    first = rows[0]
    assert (first["exposure"], first["capacity"], first["remaining_capacity"]) == (
        "2500000.25",
        "10000000.00",
        "7499999.75",
    )
    assert (first["event_count"], first["age_days"], first["insured_exposure"]) == (
        1,
        10,
        "1000.00",
    )
    assert (rows[1]["status"], rows[1]["proposed_by"]) == (
        ApplicationStatus.AWAITING_SECOND_APPROVAL,
        "underwriter",
    )


@pytest.mark.parametrize("role", ["claims_handler", "claims_manager", "insured_a", "bank"])
def test_only_underwriters_see_the_queue(personas, role):
    assert api_as(personas[role]).get("/api/v1/limit-queue/").status_code == 403


# --- calculators --------------------------------------------------------------------------------


def test_the_turnover_method_gives_the_spec_example(personas):
    """SPEC 5: 6,000,000 a year on 60 days → 1,000,000."""
    response = api_as(personas["insured_a_clerk"]).post(
        "/api/v1/calculators/turnover/",
        {"annual_credit_sales": "6000000", "credit_days": 60},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"limit": "1000000.00"}


def test_the_turnover_method_keeps_cents_on_large_amounts(personas):
    response = api_as(personas["bank"]).post(
        "/api/v1/calculators/turnover/",
        {"annual_credit_sales": "9999999999999999.99", "credit_days": 360},
        format="json",
    )
    assert response.json() == {"limit": "9999999999999999.99"}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"annual_credit_sales": "6000000", "credit_days": 0}, "credit_days"),
        ({"annual_credit_sales": 6000000.5, "credit_days": 60}, "annual_credit_sales"),
        ({"annual_credit_sales": "-1", "credit_days": 60}, "annual_credit_sales"),
        ({"credit_days": 60}, "annual_credit_sales"),
    ],
)
def test_the_turnover_calculator_names_what_is_wrong(personas, body, field):
    response = api_as(personas["underwriter"]).post(
        "/api/v1/calculators/turnover/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_the_peak_outstanding_method_replays_invoices_and_payments(personas):
    movements = [
        {"on": "2026-03-20", "kind": "invoice", "amount": "150000.00"},
        {"on": "2026-03-01", "kind": "invoice", "amount": "100000.00"},
        {"on": "2026-03-15", "kind": "payment", "amount": "100000.00"},
        {"on": "2026-03-10", "kind": "invoice", "amount": "200000.10"},
        # Same day: the invoice is booked before the payment (the prudent reading).
        {"on": "2026-03-25", "kind": "payment", "amount": "300000.00"},
        {"on": "2026-03-25", "kind": "invoice", "amount": "40000.00"},
    ]
    response = api_as(personas["insured_a"]).post(
        "/api/v1/calculators/peak-outstanding/", {"movements": movements}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"peak": "390000.10", "peak_on": "2026-03-25"}


@pytest.mark.parametrize(
    "movements",
    [
        [],
        [{"on": "2026-03-01", "kind": "credit_note", "amount": "1.00"}],
        [{"on": "2026-03-01", "kind": "invoice", "amount": 1.5}],
        [{"on": "2026-13-01", "kind": "invoice", "amount": "1.00"}],
    ],
)
def test_the_peak_calculator_refuses_bad_movements(personas, movements):
    response = api_as(personas["insured_a"]).post(
        "/api/v1/calculators/peak-outstanding/", {"movements": movements}, format="json"
    )
    assert response.status_code == 400
    assert "movements" in response.json()


def test_calculators_need_a_login(api):
    response = api.post(
        "/api/v1/calculators/turnover/",
        {"annual_credit_sales": "6000000", "credit_days": 60},
        format="json",
    )
    assert response.status_code == 401


# --- the schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_documents_every_limits_endpoint(api):
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path, method in [
        ("/api/v1/credit-limits/", "get"),
        ("/api/v1/credit-limits/{id}/reduce/", "post"),
        ("/api/v1/credit-limits/{id}/cancel/", "post"),
        ("/api/v1/credit-limits/discretionary/", "post"),
        ("/api/v1/limit-applications/", "post"),
        ("/api/v1/limit-applications/{id}/decide/", "post"),
        ("/api/v1/limit-applications/{id}/approve/", "post"),
        ("/api/v1/limit-applications/{id}/send-back/", "post"),
        ("/api/v1/limit-decisions/{id}/pending-orders/", "post"),
        ("/api/v1/limit-reviews/{id}/complete/", "post"),
        ("/api/v1/limit-queue/", "get"),
        ("/api/v1/calculators/turnover/", "post"),
        ("/api/v1/calculators/peak-outstanding/", "post"),
    ]:
        assert method in paths[path], path
    decide_body = paths["/api/v1/limit-applications/{id}/decide/"]["post"]["requestBody"]
    assert decide_body["content"]["application/json"]["schema"]["$ref"].endswith(
        "ApplicationDecideRequest"
    )
