"""Two overlapping agreements put in force at the same moment from two connections: the
policy row's lock and the covered buyers' unique index let exactly one win (SPEC 8).
Real threads on real PostgreSQL."""

from decimal import Decimal

import pytest

from banks import services
from banks.models import AgreementBuyer, AssignmentAgreement
from limits.models import CreditLimit
from policies.choices import PolicyStatus
from tests.banks.conftest import TODAY, prepare
from tests.claims.conftest import PDF
from tests.factories import BuyerFactory, PolicyFactory
from tests.premiums.test_concurrency import _race

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 10


@pytest.mark.parametrize("scopes", [("listed", "listed"), ("all", "listed"), ("all", "all")])
def test_two_overlapping_activations_at_once_one_wins(
    personas, insured_a, bank_org, bank_y, scopes
):
    underwriter = personas["underwriter"]
    for _ in range(ROUNDS):
        policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
        buyer = BuyerFactory()
        CreditLimit.objects.create(
            policy=policy, buyer=buyer, amount=Decimal("500000"), payment_terms_days=90,
            source="insurer", effective_from=policy.period_start,
        )  # fmt: skip
        agreements = [
            prepare(personas, policy, bank, scope=scope, buyers=[buyer] if scope == "listed" else ())
            for bank, scope in zip((bank_org, bank_y), scopes, strict=True)
        ]  # fmt: skip
        for agreement in agreements:
            services.agreement_sign(
                actor=underwriter, agreement_id=agreement.pk, signed_on=TODAY,
                filename="signed.pdf", content=PDF, today=TODAY,
            )  # fmt: skip

        def activate(agreement_id):
            return services.agreement_activate(
                actor=underwriter, agreement_id=agreement_id, today=TODAY
            ).pk

        done, refused, errors = _race(activate, [(a.pk,) for a in agreements])
        assert errors == []
        assert len(done) == 1 and len(refused) == 1
        assert "action" in refused[0] or "buyer" in refused[0]
        assert AssignmentAgreement.objects.filter(policy=policy, status="active").count() == 1
        winner = AssignmentAgreement.objects.get(policy=policy, status="active")
        assert winner.pk == done[0]
        assert list(
            AgreementBuyer.objects.filter(policy=policy, active=True).values_list(
                "agreement", "buyer"
            )
        ) == [(winner.pk, buyer.pk)]
