"""The limit's history (SPEC 5) and which amount covered a shipment day (for claims, SPEC 7),
across an increase, a reduction given with notice ahead, a suspension and a renewal; and
the renewal, suspension and date defects found when the system was tried (issue 6)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from buyers.services import buyer_update
from limits import services
from limits.choices import LimitAction, LimitStatus
from limits.models import CreditLimit
from limits.selectors import limit_amount_on, limit_history
from notifications.models import Notification
from policies.choices import PolicyStatus
from policies.models import Policy
from policies.services import policies_expire_due, policy_renew
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _decide(personas, policy, buyer, amount, on, request_type="2"):
    with time_machine.travel(on):
        application = services.application_create(
            actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
            request_type=request_type, requested_amount=Decimal(amount), payment_terms_days=60,
            submit=True, today=on,
        )  # fmt: skip
        services.application_decide(
            actor=personas["senior_underwriter"], application_id=application.pk,
            outcome="approve", today=on,
        )  # fmt: skip
    return CreditLimit.objects.get(policy=policy, buyer=buyer, status__in=["active", "suspended"])


def _renew_into_force(underwriter, policy):
    renewal = policy_renew(actor=underwriter, policy_id=policy.pk)
    assert policies_expire_due(today=policy.period_end + timedelta(days=1)) == 2
    renewal.refresh_from_db()
    assert renewal.status == PolicyStatus.IN_FORCE
    return renewal


@pytest.fixture
def policy(insured_a):
    return PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)


def test_the_amount_on_each_day_follows_the_whole_history(personas, policy, buyer):
    limit = _decide(personas, policy, buyer, "1000000", date(2026, 2, 1))
    _decide(personas, policy, buyer, "1500000", date(2026, 4, 1), request_type="3")
    services.limit_reduce(
        actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("600000"),
        notice_on=date(2026, 6, 1), effective_on=date(2026, 7, 1), reason_code="12",
        today=date(2026, 6, 1),
    )  # fmt: skip
    # The sweep runs two days late; the cut still applies from its effective date.
    assert services.limits_apply_scheduled(today=date(2026, 7, 3)) == 1
    with time_machine.travel(date(2026, 8, 10)):
        buyer_update(actor=personas["underwriter"], buyer_id=buyer.pk, risk_grade=10)
    renewal = _renew_into_force(personas["underwriter"], policy)

    def on(day, pol=policy):
        return limit_amount_on(policy_id=pol.pk, buyer_id=buyer.pk, on=day)

    assert on(date(2026, 1, 31)) is None
    assert on(date(2026, 2, 1)) == Decimal("1000000")
    assert on(date(2026, 3, 31)) == Decimal("1000000")
    assert on(date(2026, 4, 1)) == Decimal("1500000")
    assert on(date(2026, 6, 30)) == Decimal("1500000")  # notice given, not yet in effect
    assert on(date(2026, 7, 1)) == Decimal("600000")
    assert on(date(2026, 8, 9)) == Decimal("600000")
    assert on(date(2026, 8, 10)) is None  # suspended: the buyer defaulted
    assert on(date(2027, 1, 5)) is None  # outside the old policy year
    assert on(date(2027, 1, 5), renewal) is None  # carried over, still suspended

    actions = [c.action for c in limit_history(limit)]
    assert actions == [
        LimitAction.GRANT, LimitAction.GRANT, LimitAction.SCHEDULE, LimitAction.REDUCE,
        LimitAction.SUSPEND, LimitAction.END_WITH_POLICY,
    ]  # fmt: skip
    carried = CreditLimit.objects.get(policy=renewal, buyer=buyer)
    assert [c.action for c in limit_history(carried)][-1] == LimitAction.CARRY_OVER_SUSPENDED
    assert all(c.decision_id for c in limit_history(limit)[:4])


def test_a_renewal_keeps_a_defaulted_buyers_limit_suspended(personas, policy, buyer):
    """Defect: the suspended limit came back ACTIVE at 1,000,000 in the renewed year."""
    _decide(personas, policy, buyer, "1000000", date(2026, 2, 1))
    buyer_update(actor=personas["underwriter"], buyer_id=buyer.pk, risk_grade=10)
    renewal = _renew_into_force(personas["underwriter"], policy)
    carried = CreditLimit.objects.get(policy=renewal, buyer=buyer)
    assert carried.status == LimitStatus.SUSPENDED


def test_a_renewal_carries_an_active_limit_and_its_amount(personas, policy, buyer):
    _decide(personas, policy, buyer, "800000", date(2026, 2, 1))
    renewal = _renew_into_force(personas["underwriter"], policy)
    assert limit_amount_on(policy_id=renewal.pk, buyer_id=buyer.pk, on=date(2027, 1, 1)) == Decimal(
        "800000"
    )


def test_a_renewal_checks_grade_and_capacity_like_a_decision(personas, policy, capacities):
    buyer = BuyerFactory(risk_grade=4)
    _decide(personas, policy, buyer, "800000", date(2026, 2, 1))
    buyer_update(actor=personas["underwriter"], buyer_id=buyer.pk, risk_grade=8)
    renewal = _renew_into_force(personas["underwriter"], policy)
    assert not CreditLimit.objects.filter(policy=renewal).exists()
    told = Notification.objects.filter(subject__contains=str(renewal))
    assert {n.recipient.username for n in told} >= {"insured_a", "underwriter"}
    assert buyer.name in told.first().body


def test_granting_does_not_lift_a_suspension(personas, policy, buyer):
    limit = _decide(personas, policy, buyer, "500000", date(2026, 2, 1))
    services.limits_suspend_for_buyer(actor=personas["underwriter"], buyer_id=buyer.pk)
    with pytest.raises(ValidationError) as info:
        _decide(personas, policy, buyer, "900000", date(2026, 9, 1), request_type="3")
    assert "buyer" in info.value.message_dict
    limit.refresh_from_db()
    assert (limit.status, limit.amount) == (LimitStatus.SUSPENDED, Decimal("500000"))
    # Lifting it is its own, recorded act.
    services.limit_reinstate(actor=personas["underwriter"], limit_id=limit.pk, reason="已还款")
    limit.refresh_from_db()
    assert limit.status == LimitStatus.ACTIVE


def test_a_reduction_decided_after_its_limit_ended_is_refused(personas, policy, buyer):
    """Defect: the decision passed None into the amount change (a 500)."""
    limit = _decide(personas, policy, buyer, "900000", date(2026, 2, 1))
    application = services.application_create(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
        request_type="7", requested_amount=Decimal("300000"), payment_terms_days=60, submit=True,
    )  # fmt: skip
    services.limit_cancel(
        actor=personas["underwriter"], limit_id=limit.pk, notice_on=date(2026, 9, 15),
        reason_code="12",
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        services.application_decide(
            actor=personas["underwriter"], application_id=application.pk, outcome="approve"
        )
    assert "request_type" in info.value.message_dict


@pytest.mark.parametrize(
    "notice_on, field",
    [
        (date(2025, 6, 1), "notice_on"),  # before the limit existed
        (date(1, 1, 1), "notice_on"),
        (date(2027, 3, 1), "notice_on"),  # after the policy ends
    ],
)
def test_a_cut_dated_outside_the_limit_or_the_policy_is_refused(
    personas, policy, buyer, notice_on, field
):
    limit = _decide(personas, policy, buyer, "900000", date(2026, 2, 1))
    with pytest.raises(ValidationError) as info:
        services.limit_reduce(
            actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("1"),
            notice_on=notice_on, reason_code="12",
        )  # fmt: skip
    assert field in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.limit_reduce(
            actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("1"),
            notice_on=date(2026, 9, 15), effective_on=date(2027, 2, 1), reason_code="12",
        )  # fmt: skip
    assert "effective_on" in info.value.message_dict


def test_a_limit_granted_on_a_quote_covers_from_the_policy_start(personas, insured_a, buyer):
    """Defect: an application on a quote starting 2027-01-01 became active on 2026-12-02."""
    quote = PolicyFactory(
        insured=insured_a, status=PolicyStatus.QUOTED,
        period_start=date(2027, 1, 1), period_end=date(2027, 12, 31),
    )  # fmt: skip
    limit = _decide(personas, quote, buyer, "500000", date(2026, 12, 2))
    assert limit.effective_from == date(2027, 1, 1)
    assert limit_amount_on(policy_id=quote.pk, buyer_id=buyer.pk, on=date(2026, 12, 2)) is None
    assert limit_amount_on(policy_id=quote.pk, buyer_id=buyer.pk, on=date(2027, 1, 1)) == Decimal(
        "500000"
    )


def test_the_pending_orders_8_days_count_to_the_day_the_request_arrives(personas, policy, buyer):
    """Defect: the rule was checked against the date the client sent (back-datable)."""
    limit = _decide(personas, policy, buyer, "900000", date(2026, 2, 1))
    decision = services.limit_reduce(
        actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("300000"),
        notice_on=date(2026, 9, 1), reason_code="12", today=date(2026, 9, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        services.pending_orders_request(
            actor=personas["insured_a"], decision_id=decision.pk,
            requested_on=date(2026, 9, 3),  # the letter says day 2; it arrives on day 14
            contract_reference="HT-1", contract_signed_on=date(2026, 8, 1),
            contract_amount=Decimal("100000"), today=date(2026, 9, 15),
        )  # fmt: skip
    assert "requested_on" in info.value.message_dict


def test_every_sweep_drains_more_than_one_batch(personas, insured_a, capacities):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    for _ in range(5):
        CreditLimit.objects.create(
            policy=policy, buyer=BuyerFactory(risk_grade=4), amount=Decimal("1000"),
            payment_terms_days=30, source="insurer", effective_from=date(2026, 1, 1),
            expires_on=date(2026, 9, 1),
        )  # fmt: skip
    assert services.limits_expire_due(today=date(2026, 9, 15), batch_size=2) == 5
    assert services.limits_expire_due(today=date(2026, 9, 15), batch_size=2) == 0
    assert not CreditLimit.objects.filter(status="active").exists()


def test_a_renewal_that_cannot_come_into_force_is_reported_once(personas, policy):
    renewal = policy_renew(actor=personas["underwriter"], policy_id=policy.pk)
    # A new guideline breach since the quote: the insured moved into construction.
    insured = policy.insured
    insured.industry = "E"
    insured.save()
    day = policy.period_end + timedelta(days=1)
    assert policies_expire_due(today=day) == 1  # the old year expires; the renewal cannot
    assert policies_expire_due(today=day) == 0
    renewal.refresh_from_db()
    assert renewal.status == PolicyStatus.QUOTED
    assert renewal.issue_blocked_reason
    told = Notification.objects.filter(
        recipient=personas["underwriter"], url=renewal.get_absolute_url()
    )
    assert told.count() == 1
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.EXPIRED


def test_the_pages_show_the_limit_history_and_a_blocked_renewal(client, personas, policy, buyer):
    limit = _decide(personas, policy, buyer, "1000000", date(2026, 2, 1))
    services.limit_reduce(
        actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("400000"),
        notice_on=date(2026, 9, 15), effective_on=date(2026, 10, 1), reason_code="12",
    )  # fmt: skip
    client.force_login(personas["insured_a"])
    page = client.get(limit.get_absolute_url()).content.decode()
    assert 'data-testid="limit-history"' in page
    assert page.count("1,000,000.00") >= 2
    renewal = policy_renew(actor=personas["underwriter"], policy_id=policy.pk)
    Policy.objects.filter(pk=renewal.pk).update(issue_blocked_reason="新增核保警示：行业不予承保")
    client.force_login(personas["underwriter"])
    page = client.get(renewal.get_absolute_url()).content.decode()
    assert 'data-testid="issue-blocked"' in page and "行业不予承保" in page
