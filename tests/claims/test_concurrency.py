"""Claims approved and paid at the same moment: real threads on real PostgreSQL. The
liability row's lock and its CHECK keep the policy year within its maximum liability;
the unique payment keeps one payment per claim."""

from decimal import Decimal

import pytest

from claims import services
from claims.models import IndemnityPayment, PolicyLiability
from tests.claims.conftest import claim_in_assessment, invoice
from tests.factories import BuyerFactory
from tests.premiums.test_concurrency import _race

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_claims_approved_at_once_never_commit_more_than_the_maximum_liability(
    personas, policy, capacities, manager
):
    policy.max_liability = D("1000000")
    policy.save(update_fields=["max_liability"])
    claims = []
    for number in range(4):
        claim = claim_in_assessment(
            personas, policy, BuyerFactory(risk_grade=4), [invoice(f"INV-{number}", "1000000")]
        )
        # Each computed while nothing is committed: each says 900,000 fits.
        assert services.worksheet_compute(actor=manager, claim_id=claim.pk).indemnity == D(
            "900000.00"
        )
        claims.append(claim)

    def approve(claim):
        return services.claim_approve(actor=manager, claim_id=claim.pk)

    done, refused, errors = _race(approve, [(claim,) for claim in claims])
    assert errors == []
    assert len(done) == 1
    assert len(refused) == 3 and all("worksheet" in r for r in refused)
    assert PolicyLiability.objects.get(policy=policy).committed == D("900000.00")


def test_a_payment_sent_eight_times_at_once_is_one_payment(personas, policy, buyer, manager):
    claim = claim_in_assessment(personas, policy, buyer, [invoice("A", "100000")])
    services.worksheet_compute(actor=manager, claim_id=claim.pk)
    services.claim_approve(actor=manager, claim_id=claim.pk)

    def pay():
        return services.indemnity_pay(actor=manager, claim_id=claim.pk).pk

    done, refused, errors = _race(pay, [() for _ in range(8)])
    assert (errors, refused) == ([], [])
    assert len(set(done)) == 1
    assert IndemnityPayment.objects.count() == 1
