"""SPEC 5 and 10: the limit sweeps are idempotent: run twice, they do the work once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from buyers.services import negative_event_record
from limits import services
from limits.choices import LimitStatus, ReviewReason
from limits.models import CreditLimit, LimitReview
from limits.tasks import open_limit_reviews, warn_expiring_limits
from notifications.models import Notification
from policies.choices import PolicyAction, PolicyStatus
from policies.models import Policy
from policies.services import policy_transition
from policies.tasks import expire_policies, renew_policies
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


def _limit(policy, buyer, **extra):
    fields = dict(
        amount=Decimal("1000000"),
        payment_terms_days=60,
        source="insurer",
        effective_from=date(2026, 1, 1),
    )
    fields.update(extra)
    return CreditLimit.objects.create(policy=policy, buyer=buyer, **fields)


def test_yearly_review_job_run_twice_opens_one_review(live_policy_a, buyer):
    limit = _limit(live_policy_a, buyer, next_review_on=TODAY)
    with time_machine.travel(TODAY):
        assert open_limit_reviews() == 1
        assert open_limit_reviews() == 0
    review = LimitReview.objects.get()
    assert (review.credit_limit, review.reason, review.due_on) == (
        limit,
        ReviewReason.YEARLY,
        TODAY,
    )


def test_a_negative_event_reviews_every_limit_on_the_buyer_once(
    personas, live_policy_a, live_policy_b, buyer
):
    _limit(live_policy_a, buyer)
    _limit(live_policy_b, buyer)
    negative_event_record(
        actor=personas["underwriter"],
        buyer_id=buyer.pk,
        kind="insolvency_filing",
        occurred_on=TODAY,
    )
    with time_machine.travel(TODAY):
        assert open_limit_reviews() == 2
        assert open_limit_reviews() == 0
    assert LimitReview.objects.filter(reason=ReviewReason.NEGATIVE_EVENT).count() == 2


def test_completing_a_review_confirms_or_cuts(personas, insured_a, buyer):
    two_years = PolicyFactory(
        insured=insured_a, status=PolicyStatus.IN_FORCE, period_end=date(2027, 12, 31)
    )
    limit = _limit(two_years, buyer, next_review_on=TODAY)
    services.limit_reviews_open_due(today=TODAY)
    review = LimitReview.objects.get()
    services.limit_review_complete(
        actor=personas["underwriter"], review_id=review.pk, outcome="confirm", today=TODAY
    )
    limit.refresh_from_db()
    assert limit.next_review_on == date(2027, 11, 25)
    assert services.limit_reviews_open_due(today=TODAY) == 0
    services.limit_reviews_open_due(today=date(2027, 11, 25))
    second = LimitReview.objects.get(status="open")
    services.limit_review_complete(
        actor=personas["underwriter"],
        review_id=second.pk,
        outcome="reduce",
        amount=Decimal("250000"),
        today=date(2027, 11, 25),
    )
    limit.refresh_from_db()
    assert limit.amount == Decimal("250000")


def test_expiry_warning_is_sent_once(personas, live_policy_a, buyer):
    _limit(live_policy_a, buyer, expires_on=TODAY + timedelta(days=20))
    with time_machine.travel(TODAY):
        assert warn_expiring_limits() == 1
        assert warn_expiring_limits() == 0
    recipients = Notification.objects.values_list("recipient__username", flat=True)
    assert sorted(recipients) == ["insured_a", "insured_a_clerk"]


def test_a_temporary_limit_expires_after_its_date(live_policy_a, buyer):
    limit = _limit(live_policy_a, buyer, expires_on=TODAY)
    assert services.limits_expire_due(today=TODAY) == 0
    assert services.limits_expire_due(today=TODAY + timedelta(days=1)) == 1
    limit.refresh_from_db()
    assert limit.status == LimitStatus.EXPIRED


def test_limits_end_with_a_cancelled_policy(personas, live_policy_a, buyer):
    limit = _limit(live_policy_a, buyer)
    policy_transition(
        actor=personas["underwriter"],
        policy_id=live_policy_a.pk,
        action_name=PolicyAction.CANCEL,
        reason="被保险人书面申请",
    )
    limit.refresh_from_db()
    assert limit.status == LimitStatus.EXPIRED
    assert services.buyer_exposure(buyer.pk) == 0


def test_renewal_carries_active_limits_over_once(insured_a, buyer):
    policy = PolicyFactory(
        insured=insured_a,
        status=PolicyStatus.IN_FORCE,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    kept = _limit(policy, buyer)
    with time_machine.travel(date(2026, 12, 10)):
        renew_policies()
    with time_machine.travel(date(2027, 1, 1)):
        expire_policies()
        expire_policies()
    renewal = Policy.objects.get(renewed_from=policy)
    assert renewal.status == PolicyStatus.IN_FORCE
    carried = CreditLimit.objects.get(policy=renewal)
    assert (carried.buyer, carried.amount, carried.status) == (buyer, kept.amount, "active")
    assert carried.carried_over_from == kept
    # Exposure is the same as before the renewal: the old limit ended with its year.
    assert services.buyer_exposure(buyer.pk) == kept.amount
