"""Claims fixtures: a policy in force with a limit granted through the services, and
helpers that take a claim from notice to payment the way users do (SPEC 7)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from claims import services
from claims.choices import REQUIRED_DOCUMENTS, ClaimCause
from limits import services as limit_services
from limits.models import CreditLimit
from policies.choices import PolicyStatus
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LIMIT_ON = date(2026, 1, 5)


def grant_limit(personas, policy, buyer, amount, on=LIMIT_ON, request_type="2") -> CreditLimit:
    """A limit decided by a senior underwriter on `on`, so the limit history has it."""
    with time_machine.travel(on):
        application = limit_services.application_create(
            actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
            request_type=request_type, requested_amount=Decimal(amount), payment_terms_days=90,
            submit=True, today=on,
        )  # fmt: skip
        limit_services.application_decide(
            actor=personas["senior_underwriter"], application_id=application.pk,
            outcome="approve", today=on,
        )  # fmt: skip
    return CreditLimit.objects.get(policy=policy, buyer=buyer, status__in=["active", "suspended"])


def invoice(number, amount, *, shipped=date(2026, 3, 1), invoiced=None, due=date(2026, 5, 30),
            extended=None) -> dict:  # fmt: skip
    return {
        "number": number, "invoice_date": invoiced or shipped, "shipment_date": shipped,
        "amount": Decimal(amount), "original_due_date": due, "extended_due_date": extended,
    }  # fmt: skip


@pytest.fixture
def policy(insured_a):
    """A 2026 policy in force: 90%, franchise 3,000, maximum liability 50 × 200,000."""
    return PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)


@pytest.fixture
def capacities(db):
    for grade in range(1, 11):
        BuyerCapacityFactory(
            risk_grade=grade, max_exposure=Decimal("50000000") if grade <= 7 else Decimal(0)
        )


@pytest.fixture
def buyer(capacities):
    return BuyerFactory(risk_grade=4)


@pytest.fixture
def approver(personas):
    return personas["insured_a"]


@pytest.fixture
def handler(personas):
    return personas["claims_handler"]


@pytest.fixture
def manager(personas):
    return personas["claims_manager"]


def file_notice(approver, policy, buyer, invoices, *, on=date(2026, 6, 10)):
    with time_machine.travel(on):
        return services.notice_prepare(
            actor=approver, policy_id=policy.pk, buyer_id=buyer.pk, invoices=invoices, file=True,
            today=on,
        )  # fmt: skip


def open_complete_claim(approver, handler, notice, *, on=date(2026, 6, 12),
                        cause=ClaimCause.PROTRACTED_DEFAULT):  # fmt: skip
    """Open the claim, upload the checklist, mark it complete on `on`."""
    claim = services.claim_open(actor=approver, notice_id=notice.pk, cause=cause, today=on)
    kinds = list(REQUIRED_DOCUMENTS) + (["admission"] if cause == ClaimCause.INSOLVENCY else [])
    for kind in kinds:
        services.claim_document_upload(
            actor=approver, claim_id=claim.pk, kind=kind, filename=f"{kind}.pdf", content=PDF
        )
    return services.claim_documents_complete(actor=handler, claim_id=claim.pk, today=on)


def claim_in_assessment(
    personas, policy, buyer, invoices, *, limit="1000000", filed=date(2026, 6, 10)
):
    """A protracted-default claim whose waiting period has ended (swept)."""
    if limit is not None:
        grant_limit(personas, policy, buyer, limit)
    notice = file_notice(personas["insured_a"], policy, buyer, invoices, on=filed)
    claim = open_complete_claim(personas["insured_a"], personas["claims_handler"], notice)
    services.claims_waiting_sweep(today=claim.waiting_ends_on)
    claim.refresh_from_db()
    assert claim.status == "assessment"
    return claim
