"""Paying the approved indemnity, once, to the right payee (SPEC 7, 8)."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.security import security_event
from claims import texts
from claims.choices import CLAIM_MACHINE, ClaimAction, ClaimStatus, Payee, WorksheetStatus
from claims.models import IndemnityPayment
from claims.services.claims import _lock_claim, _tell_insured
from claims.services.common import require_claims_staff, today_or
from core import reactions, transitions
from core.services import action
from deadlines.choices import DeadlineKind
from deadlines.services import deadline_meet

# Asked of the banks app (SPEC 8): who receives an indemnity on (policy, buyer) on a day.
PAYEE_EVENT = "claims.payee"

ERROR_NOT_APPROVED = _("Only an approved indemnity is paid.")


def payee_for(*, policy, buyer, on: date):
    """Who is paid an indemnity on `buyer` under `policy`: the bank of an active assignment
    agreement covering the buyer, else the insured (SPEC 8: paying the bank discharges the
    insurer, so nobody else may be paid for a covered buyer). Answers are
    (Payee value, organisation, bank account)."""
    for answer in reactions.collect(PAYEE_EVENT, policy=policy, buyer=buyer, on=on):
        return answer
    return Payee.INSURED, policy.insured, ""


def indemnity_pay(
    *, actor, claim_id: int, paid_on: date | None = None, payment_reference: str = "",
    today: date | None = None,
) -> IndemnityPayment:  # fmt: skip
    """Record the payment of the approved indemnity: one per claim (a unique row), so a
    double click or a retried request returns the payment already made."""
    today = today_or(today)
    paid_on = paid_on or today
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        existing = IndemnityPayment.objects.filter(claim=claim).first()
        if existing is not None:
            return existing
        if claim.status != ClaimStatus.APPROVED:
            raise ValidationError({"action": ERROR_NOT_APPROVED})
        if paid_on > today:
            raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
        if claim.decided_on and paid_on < claim.decided_on:
            raise ValidationError({"paid_on": _("The payment cannot precede the approval.")})
        worksheet = claim.worksheets.get(status=WorksheetStatus.APPROVED)
        payee, organisation, account = payee_for(policy=claim.policy, buyer=claim.buyer, on=paid_on)
        try:
            with transaction.atomic():
                payment = IndemnityPayment.objects.create(
                    claim=claim, worksheet=worksheet, amount=worksheet.indemnity, payee=payee,
                    payee_organisation=organisation, bank_account=account, paid_on=paid_on,
                    payment_reference=payment_reference, paid_by=actor,
                )  # fmt: skip
        except IntegrityError:
            # Paid meanwhile through another connection; anything else (the database
            # refusing a payee an assignment agreement excludes) is raised.
            existing = IndemnityPayment.objects.filter(claim=claim).first()
            if existing is None:
                raise
            return existing
        transitions.transition(CLAIM_MACHINE, claim, ClaimAction.PAY, actor=actor, today=today)
        for kind in (DeadlineKind.INDEMNITY_PAYMENT, DeadlineKind.ADVANCE_PAYMENT):
            deadline_meet(kind=kind, subject=claim, on=paid_on, actor=actor)
        params = {"indemnity": str(payment.amount), "payee": organisation.name}
        _tell_insured(claim, texts.PAID, **params)
        # A money release is a security event (issue 11, ASVS 5.0 V16): logged once the
        # payment is committed, never for a retry that returned the payment made.
        transaction.on_commit(
            lambda: security_event(
                "payment_released",
                None,
                username=actor.get_username(),
                level=logging.INFO,
                claim=claim.reference,
                amount=payment.amount,
                payee=organisation.name,
                account=account or "-",
            )  # fmt: skip
        )
    return payment
