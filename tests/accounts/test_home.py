"""Each role's home: the staff see the decision queue against its 21-day service level,
the insured its cover, what waits and its policy's renewal (SPEC 3.3, 5)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from limits.choices import ApplicationStatus
from limits.models import CreditLimit, LimitApplication
from policies.choices import PolicyStatus
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _application(policy, status, age_days, user, amount="100000"):
    return LimitApplication.objects.create(
        policy=policy,
        buyer=BuyerFactory(),
        status=status,
        requested_amount=Decimal(amount),
        prepared_by=user,
        submitted_by=user if status != ApplicationStatus.DRAFT else None,
        submitted_at=(
            timezone.now() - timedelta(days=age_days, hours=1)
            if status != ApplicationStatus.DRAFT
            else None
        ),
    )


def test_the_staff_home_shows_the_queue_by_age_against_the_service_level(personas, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    user = personas["insured_a"]
    for age in (0, 7, 8, 14, 15, 21, 22, 40):
        _application(policy, ApplicationStatus.SUBMITTED, age, user)
    _application(policy, ApplicationStatus.AWAITING_SECOND_APPROVAL, 3, user)
    _application(policy, ApplicationStatus.DRAFT, 0, user)  # the insured's, not the queue's
    _application(policy, ApplicationStatus.DECIDED, 50, user)  # done
    queue = client_for(personas["underwriter"]).get("/").context["queue"]
    assert (
        queue["total"], queue["days_0_7"], queue["days_8_14"], queue["days_15_21"],
        queue["over_21"], queue["oldest_days"], queue["second_approval"],
    ) == (9, 3, 2, 2, 2, 40, 1)  # fmt: skip


def test_claims_staff_are_not_shown_the_underwriting_queue(personas):
    assert "queue" not in client_for(personas["claims_handler"]).get("/").context


def test_the_insured_home_shows_cover_what_waits_and_the_policy_end(personas, insured_a):
    live = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    ended = PolicyFactory(insured=insured_a, status=PolicyStatus.EXPIRED)
    for policy, amount, status in (
        (live, "1000000", "active"),
        (live, "400000", "suspended"),
        (live, "300000", "cancelled"),  # ended: no cover
        (ended, "900000", "expired"),
    ):
        CreditLimit.objects.create(
            policy=policy, buyer=BuyerFactory(), amount=Decimal(amount), payment_terms_days=60,
            source="insurer", effective_from=policy.period_start, status=status,
        )  # fmt: skip
    _application(live, ApplicationStatus.SUBMITTED, 3, personas["insured_a"])
    _application(live, ApplicationStatus.DRAFT, 0, personas["insured_a_clerk"])
    response = client_for(personas["insured_a"]).get("/")
    assert response.context["cover"]["total"] == Decimal("1400000")
    assert response.context["open_application_count"] == 2
    html = response.content.decode()
    assert 'data-testid="total-cover">1,400,000.00<' in html
    assert "等待核保人审批。" in html  # why the submitted one waits
    assert live.period_end.isoformat() in html
