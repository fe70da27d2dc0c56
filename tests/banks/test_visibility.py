"""SPEC 2, 8: a bank sees only what an agreement in force naming it covers, through
core.scope.visible: the policy summary and, on its covered buyers, the limits, decisions,
notices, claims, payments, deadlines and documents; never the premium account."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from banks import selectors
from banks.models import AgreementBuyer, AgreementStatusChange, AssignmentAgreement, BankEvent
from core import transitions
from core.scope import can_see, visible
from deadlines.models import Deadline
from documents.choices import DOCUMENT_MACHINE
from documents.models import Document
from premiums.services import premium_account_open
from tests.banks.conftest import activate, approved_claim, pay, prepare, terminate
from tests.claims.conftest import grant_limit
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db

# Each model a bank reads, with the path from its row to the buyer.
ON_BUYER = {
    "buyers.Buyer": "pk",
    "limits.CreditLimit": "buyer_id",
    "limits.CreditLimitChange": "credit_limit__buyer_id",
    "limits.LimitDecision": "buyer_id",
    "claims.OverdueNotice": "buyer_id",
    "claims.NoticeInvoice": "notice__buyer_id",
    "claims.Claim": "buyer_id",
    "claims.ClaimDecision": "claim__buyer_id",
    "claims.Worksheet": "claim__buyer_id",
    "claims.IndemnityPayment": "claim__buyer_id",
    "banks.ReceivableReport": "buyer_id",
}
PREMIUM_ACCOUNT = ["premiums.DebitNote", "premiums.Declaration", "premiums.Payment",
                   "claims.ClaimDocument", "claims.PolicyLiability"]  # fmt: skip


def _document(policy, kind, reference, *, buyer=None, subject=None):
    """The subject's document of `kind`: the one the documents app already asked for (an
    agreement's, a policy's schedule), else a new one."""
    subject = subject or policy
    subject_type = ContentType.objects.get_for_model(subject)
    existing = Document.objects.filter(kind=kind, subject_type=subject_type, subject_id=subject.pk)
    if existing.exists():
        return existing.first()
    return transitions.create(
        DOCUMENT_MACHINE,
        Document(
            kind=kind, subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk, policy=policy, buyer=buyer, reference=reference,
            filename=f"{reference}.pdf",
        ),
        "request",
    )  # fmt: skip


@pytest.fixture
def world(personas, policy, bank_org, buyers):
    """Bank X finances buyer 0 of the policy; buyer 1 is the insured's own business. Each
    has a limit, a filed notice, an approved and paid claim; the premium account is open."""
    from banks import services

    covered, uncovered = buyers
    premium_account_open(policy_id=policy.pk, today=policy.period_start)
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=[covered]))
    for number, buyer in enumerate(buyers):
        pay(personas, approved_claim(personas, policy, buyer, number=f"INV-{number}"))
        services.receivables_report(
            actor=personas["insured_a"], policy_id=policy.pk, buyer_id=buyer.pk,
            amount="100000", as_of=date(2026, 6, 1), today=date(2026, 6, 1),
        )  # fmt: skip
    from claims.models import Claim

    claims = {buyer: Claim.objects.get(buyer=buyer) for buyer in buyers}
    documents = {
        "covered": _document(
            policy, "claim_worksheet", "CW-T-1", buyer=covered, subject=claims[covered]
        ),
        "uncovered": _document(
            policy, "claim_worksheet", "CW-T-2", buyer=uncovered, subject=claims[uncovered]
        ),
        "schedule": _document(policy, "policy_schedule", "PS-T-1"),
        "debit_note": _document(policy, "debit_note", "DN-T-1"),
        "agreement": _document(policy, "assignment_agreement", "AA-T-1", subject=agreement),
    }
    return {"agreement": agreement, "covered": covered, "uncovered": uncovered,
            "documents": documents}  # fmt: skip


def _pks(user, label):
    return set(visible(user, label).values_list("pk", flat=True))


def _all_on(label, path, buyer):
    from django.apps import apps

    return set(
        apps.get_model(label).objects.filter(**{path: buyer.pk}).values_list("pk", flat=True)
    )


def test_the_bank_sees_its_covered_buyers_and_nothing_else(personas, policy, world, bank_y_user):
    bank = personas["bank"]
    covered, uncovered = world["covered"], world["uncovered"]
    assert _pks(bank, "policies.Policy") == {policy.pk}
    for label, path in ON_BUYER.items():
        mine = _all_on(label, path, covered)
        assert mine, label
        assert _all_on(label, path, uncovered), label
        assert _pks(bank, label) == mine, label
        assert _pks(bank_y_user, label) == set(), label
    for label in PREMIUM_ACCOUNT:
        assert visible(bank, label).count() == 0, label
    assert visible(personas["underwriter"], "premiums.DebitNote").exists()

    # Deadlines on the covered buyer's notice and claim; not the premium account's.
    assert Deadline.objects.filter(policy=policy, buyer=None).exists()
    deadlines = set(
        Deadline.objects.filter(buyer=covered, private=False).values_list("pk", flat=True)
    )
    assert deadlines and _pks(bank, "deadlines.Deadline") == deadlines
    assert _pks(bank_y_user, "deadlines.Deadline") == set()

    documents = world["documents"]
    shown = {documents[k].pk for k in ("covered", "schedule", "agreement")}
    assert _pks(bank, "documents.Document") & {d.pk for d in documents.values()} == shown
    assert _pks(bank_y_user, "documents.Document") == set()

    assert _pks(bank, "banks.AssignmentAgreement") == {world["agreement"].pk}
    assert _pks(bank_y_user, "banks.AssignmentAgreement") == set()
    assert _pks(bank_y_user, "banks.BankEvent") == set()
    assert visible(bank, "banks.BankEvent").exists()
    assert [p.buyer for p in selectors.bank_positions(bank)] == [covered]
    assert selectors.bank_positions(bank_y_user) == []
    # The claim steps the insurer keeps to itself are not the bank's either.
    assert (
        not visible(bank, "claims.ClaimStatusChange")
        .filter(action__in=["submit_for_approval", "return"])
        .exists()
    )


def test_a_row_on_an_uncovered_buyer_is_not_the_banks(personas, world):
    bank = personas["bank"]
    from claims.models import Claim

    claim = Claim.objects.get(buyer=world["uncovered"])
    assert not can_see(bank, claim)
    assert can_see(bank, Claim.objects.get(buyer=world["covered"]))


def test_nothing_after_termination_but_its_agreement_and_feed(personas, policy, world):
    bank = personas["bank"]
    events = _pks(bank, "banks.BankEvent")
    terminate(personas, world["agreement"])
    assert _pks(bank, "policies.Policy") == set()
    for label in ON_BUYER:
        assert _pks(bank, label) == set(), label
    assert _pks(bank, "deadlines.Deadline") == set()
    assert _pks(bank, "documents.Document") == set()
    assert _pks(bank, "banks.AgreementBuyer") == set()
    assert selectors.bank_positions(bank) == []
    assert _pks(bank, "banks.AssignmentAgreement") == {world["agreement"].pk}
    assert _pks(bank, "banks.AgreementStatusChange") == set(
        AgreementStatusChange.objects.filter(agreement=world["agreement"]).values_list(
            "pk", flat=True
        )
    )
    assert events < _pks(bank, "banks.BankEvent")  # and the news of the end


def test_a_draft_or_signed_agreement_shows_the_bank_nothing(personas, policy, bank_org, buyers):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    bank = personas["bank"]
    assert _pks(bank, "banks.AssignmentAgreement") == set()
    assert _pks(bank, "policies.Policy") == set()
    assert _pks(bank, "buyers.Buyer") == set()
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "draft"


def test_a_buyer_joining_the_policy_joins_an_all_scope_agreement(
    personas, policy, bank_org, buyers
):
    agreement = activate(personas, prepare(personas, policy, bank_org, scope="all"))
    newcomer = BuyerFactory(risk_grade=4)
    bank = personas["bank"]
    assert not can_see(bank, newcomer)
    grant_limit(personas, policy, newcomer, "300000")
    assert AgreementBuyer.objects.filter(agreement=agreement, buyer=newcomer, active=True).exists()
    assert can_see(bank, newcomer)
    assert visible(bank, "limits.CreditLimit").filter(buyer=newcomer).exists()
    # Its first decision is news to the bank like any other decision on a covered buyer.
    assert BankEvent.objects.filter(
        agreement=agreement, buyer=newcomer, kind="limit_decision"
    ).exists()


def test_a_regional_agreement_covers_only_the_buyers_of_its_region(
    personas, policy, bank_org, capacities
):
    zhejiang = BuyerFactory(risk_grade=4, region="33")
    grant_limit(personas, policy, zhejiang, "300000")
    agreement = activate(personas, prepare(personas, policy, bank_org, scope="region", region="33"))
    south, east = BuyerFactory(risk_grade=4, region="44"), BuyerFactory(risk_grade=4, region="33")
    grant_limit(personas, policy, south, "300000")
    grant_limit(personas, policy, east, "300000")
    covered = set(
        AgreementBuyer.objects.filter(agreement=agreement, active=True).values_list(
            "buyer", flat=True
        )
    )
    assert covered == {zhejiang.pk, east.pk}
    bank = personas["bank"]
    assert _pks(bank, "buyers.Buyer") == {zhejiang.pk, east.pk}
    assert not can_see(bank, south)
