"""Recoveries from the buyer after the notice (SPEC 7)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from claims import rules, texts
from claims.choices import ClaimStatus, RecoveryReceiver
from claims.models import Recovery
from claims.services.claims import _lock_claim, _tell_insured
from claims.services.common import require_claims_staff, today_or
from core import reactions
from core.services import action

# Asked of the premium account: invoice the insurer's share of a recovery the insured
# collected after payment; answers the debit note.
SHARE_EVENT = "claims.recovery_share_due"

ERROR_APPROVED = _(
    "The indemnity is approved and not yet paid: record the recovery once the payment is "
    "made, when it is shared."
)
ERROR_FUTURE = _("The date cannot be in the future.")
ERROR_DECLINED = _("The claim is declined: no indemnity to share a recovery with.")


def _insurer_unrecovered(claim) -> Decimal:
    """What the insurer paid and has not yet recovered: its share never exceeds it."""
    shared = claim.recoveries.filter(after_payment=True).aggregate(total=Sum("insurer_share"))
    return claim.payment.amount - (shared["total"] or Decimal(0))


def recovery_record(
    *, actor, claim_id: int, amount: Decimal, received_on: date,
    received_by: str = RecoveryReceiver.INSURED, note: str = "", today: date | None = None,
) -> Recovery:  # fmt: skip
    """Before payment a recovery reduces the loss (the next worksheet deducts it: the
    insured is paid first). After payment it is shared insurer : insured in the indemnity
    percentage; when the insured collected it, its insurer's share is invoiced to it."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        if claim.status == ClaimStatus.APPROVED:
            raise ValidationError({"amount": ERROR_APPROVED})
        if claim.status == ClaimStatus.DECLINED:
            raise ValidationError({"amount": ERROR_DECLINED})
        if received_on is not None and received_on > today:
            raise ValidationError({"received_on": ERROR_FUTURE})
        recovery = Recovery(
            claim=claim, amount=amount, received_on=received_on, received_by=received_by,
            note=note, recorded_by=actor,
        )  # fmt: skip
        if claim.status == ClaimStatus.PAID and amount is not None:
            recovery.after_payment = True
            recovery.insurer_share, recovery.insured_share = rules.recovery_shares(
                amount, claim.policy.indemnity_percentage,
                insurer_at_most=_insurer_unrecovered(claim),
            )  # fmt: skip
        recovery.full_clean()
        recovery.save()
        if recovery.after_payment and received_by == RecoveryReceiver.INSURED:
            notes = reactions.collect(
                SHARE_EVENT, recovery=recovery, claim=claim, today=today, actor=actor
            )
            if notes:
                recovery.debit_note = notes[0]
                recovery.save(update_fields=["debit_note"])
        if recovery.after_payment:
            _tell_insured(
                claim, texts.RECOVERY_SHARE, amount=str(amount),
                insurer_share=str(recovery.insurer_share),
                insured_share=str(recovery.insured_share),
            )  # fmt: skip
    return recovery
