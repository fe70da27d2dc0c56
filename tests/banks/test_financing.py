"""SPEC 8: financing capacity = min(receivables × indemnity %, buyer limit × indemnity %,
remaining maximum liability), as a plain rule and through the bank's positions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from banks import selectors, services
from banks.rules import financing_capacity
from claims.models import PolicyLiability
from limits import services as limit_services
from tests.banks.conftest import TODAY, activate, approved_claim, prepare

D = Decimal


def test_the_spec_example():
    assert financing_capacity(
        receivables=D("1000000"), limit=D("1200000"), indemnity_percentage=D(90),
        remaining_liability=D("850000"),
    ) == D("850000")  # fmt: skip
    # Each term wins when it is the smallest.
    assert financing_capacity(
        receivables=D("1000000"), limit=D("1200000"), indemnity_percentage=D(90),
        remaining_liability=D("5000000"),
    ) == D("900000.00")  # fmt: skip
    assert financing_capacity(
        receivables=D("2000000"), limit=D("1200000"), indemnity_percentage=D(90),
        remaining_liability=D("5000000"),
    ) == D("1080000.00")  # fmt: skip


@pytest.mark.parametrize(
    "receivables, limit, remaining, expected",
    [
        (None, D("1200000"), D("850000"), None),  # nothing reported: nothing to lend against
        (D("1000000"), None, D("850000"), D(0)),  # no limit in force: nothing covered
        (D("1000000"), D("1200000"), D(0), D(0)),  # the policy year's maximum is used up
        (D(0), D("1200000"), D("850000"), D(0)),
        (D("333333.33"), D("1200000"), D("850000"), D("300000.00")),  # to the cent, half up
    ],
)  # fmt: skip
def test_edge_cases(receivables, limit, remaining, expected):
    assert financing_capacity(
        receivables=receivables, limit=limit, indemnity_percentage=D(90),
        remaining_liability=remaining,
    ) == expected  # fmt: skip


@pytest.mark.django_db
def test_positions_read_the_real_rows(personas, policy, bank_org, buyers):
    """A report of 1,000,000 on a buyer with a 1,200,000 limit under a policy whose
    remaining maximum liability is 850,000 (an approved claim committed the rest)."""
    assert policy.indemnity_percentage == D(90)
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers))
    services.receivables_report(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_id=buyers[0].pk,
        amount=D("1000000"), as_of=TODAY, today=TODAY,
    )  # fmt: skip
    bank = personas["bank"]
    (first, second) = selectors.bank_positions(bank)
    assert (first.buyer, first.limit_amount, first.receivables) == (
        buyers[0], D("1200000.00"), D("1000000.00"),
    )  # fmt: skip
    assert first.remaining_liability == policy.max_liability
    assert first.capacity == D("900000.00")
    assert (second.buyer, second.receivables, second.capacity) == (buyers[1], None, None)

    claim = approved_claim(personas, policy, buyers[1], amount="100000")
    committed = PolicyLiability.objects.get(policy=policy)
    assert committed.committed == D("90000.00")
    PolicyLiability.objects.filter(policy=policy).update(
        committed=policy.max_liability - D("850000")
    )
    (first, second) = selectors.bank_positions(bank)
    assert (first.remaining_liability, first.capacity) == (D("850000.00"), D("850000.00"))
    assert (second.open_claims, second.payable, second.paid) == (1, D("90000.00"), D(0))
    assert claim.status == "approved"

    # A newer report counts.
    services.receivables_report(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_id=buyers[0].pk,
        amount=D("500000"), as_of=date(2026, 6, 1), today=TODAY,
    )  # fmt: skip
    assert selectors.bank_positions(bank)[0].capacity == D("450000.00")

    # The limit cancelled: nothing is covered, whatever the receivables.
    limit = buyers[0].credit_limits.get(policy=policy, status="active")
    limit_services.limit_cancel(
        actor=personas["senior_underwriter"], limit_id=limit.pk, notice_on=TODAY,
        reason_code="01", today=TODAY,
    )  # fmt: skip
    first = selectors.bank_positions(bank)[0]
    assert (first.limit_amount, first.limit_status, first.capacity) == (None, "cancelled", D(0))


@pytest.mark.django_db
def test_receivables_are_reported_by_the_insured_only(personas, policy, bank_org, buyers):
    for name in ("bank", "insured_b", "underwriter"):
        with pytest.raises(PermissionError):
            services.receivables_report(
                actor=personas[name], policy_id=policy.pk, buyer_id=buyers[0].pk,
                amount=D("1"), as_of=TODAY, today=TODAY,
            )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.receivables_report(
            actor=personas["insured_a"], policy_id=policy.pk, buyer_id=buyers[0].pk,
            amount=D("-1"), as_of=TODAY, today=TODAY,
        )  # fmt: skip
    assert "amount" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.receivables_report(
            actor=personas["insured_a"], policy_id=policy.pk, buyer_id=buyers[0].pk,
            amount=D("1"), as_of=date(2026, 6, 2), today=TODAY,
        )  # fmt: skip
    assert "as_of" in refused.value.message_dict
