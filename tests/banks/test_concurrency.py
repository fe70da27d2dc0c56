"""Two overlapping agreements put in force at the same moment from two connections: the
policy row's lock and the covered buyers' unique index let exactly one win (SPEC 8).
Real threads on real PostgreSQL."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from banks import services
from banks.models import AgreementBuyer, AssignmentAgreement
from limits import services as limit_services
from limits.models import CreditLimit
from policies.choices import PolicyStatus
from tests.banks.conftest import TODAY, prepare
from tests.claims.conftest import LIMIT_ON, PDF
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


@pytest.mark.parametrize("first", ["grant", "activation"])
def test_a_buyer_granted_while_an_all_scope_agreement_comes_into_force_is_covered(
    personas, policy, bank_org, capacities, first
):
    """The grant's reaction reads the agreements in force before the activation commits,
    and the activation reads the policy's buyers before the grant commits: without one
    order between them the new buyer would be covered by neither. Whichever starts first
    is held open while the other runs (it waits, once they are ordered)."""
    agreement = prepare(personas, policy, bank_org, scope="all")
    services.agreement_sign(
        actor=personas["underwriter"], agreement_id=agreement.pk, signed_on=TODAY,
        filename="signed.pdf", content=PDF, today=TODAY,
    )  # fmt: skip
    newcomer = BuyerFactory(risk_grade=4)
    application = limit_services.application_create(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=newcomer.uscc,
        request_type="2", requested_amount=Decimal("300000"), payment_terms_days=90,
        submit=True, today=LIMIT_ON,
    )  # fmt: skip

    def grant():
        limit_services.application_decide(
            actor=personas["senior_underwriter"], application_id=application.pk,
            outcome="approve", today=LIMIT_ON,
        )  # fmt: skip

    def put_in_force():
        services.agreement_activate(
            actor=personas["underwriter"], agreement_id=agreement.pk, today=TODAY
        )

    moves = [grant, put_in_force] if first == "grant" else [put_in_force, grant]
    started, finished = threading.Event(), threading.Event()
    errors = []

    def run_first():
        try:
            with transaction.atomic():
                moves[0]()
                started.set()
                finished.wait(timeout=3)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            started.set()
            connection.close()

    def run_second():
        try:
            started.wait(timeout=10)
            moves[1]()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            finished.set()
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "active"
    assert AgreementBuyer.objects.filter(agreement=agreement, buyer=newcomer, active=True).exists()


def test_a_payment_made_while_the_agreement_is_terminated_follows_the_termination(
    personas, policy, bank_org, buyers
):
    """The termination holds the agreement while the payment is recorded: the payment
    waits for it and, once it has committed, goes to the insured (not to the bank whose
    agreement has just ended, by a stale read of the covered buyer)."""
    from tests.banks.conftest import activate, approved_claim, pay, terminate

    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    claim = approved_claim(personas, policy, buyers[0])
    started, finished = threading.Event(), threading.Event()
    errors, paid = [], []

    def end():
        try:
            with transaction.atomic():
                terminate(personas, agreement)
                started.set()
                finished.wait(timeout=3)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            started.set()
            connection.close()

    def pay_claim():
        try:
            started.wait(timeout=10)
            paid.append(pay(personas, claim))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            finished.set()
            connection.close()

    threads = [threading.Thread(target=end), threading.Thread(target=pay_claim)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "terminated"
    (payment,) = paid
    assert (payment.payee, payment.payee_organisation_id) == ("insured", policy.insured_id)
