"""Computing the indemnity worksheet from the claim's facts (SPEC 7)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from buyers.models import RelatedParty
from claims import rules
from claims.choices import WORKSHEET_MACHINE, ClaimStatus, WorksheetAction, WorksheetStatus
from claims.models import Claim, PolicyLiability, Worksheet, WorksheetLine
from claims.services.common import require_claims_staff, today_or
from core import transitions
from core.money import ZERO
from core.services import action
from limits.selectors import limit_covering_shipment
from policies.models import Policy
from policies.selectors import policy_suspended_on

ERROR_NOT_ASSESSMENT = _("The worksheet is computed during the assessment.")
ERROR_CREDITS = _("Other credits cannot be negative.")


def policy_liability(policy: Policy, *, lock: bool = False) -> PolicyLiability:
    """The policy year's maximum liability and what approved indemnities committed of it."""
    liability, _created = PolicyLiability.objects.get_or_create(
        policy=policy, defaults={"max_liability": policy.max_liability}
    )
    if lock:
        liability = PolicyLiability.objects.select_for_update().get(pk=liability.pk)
        # The policy's maximum may have been changed since (an endorsement): follow it.
        current = Policy.objects.values_list("max_liability", flat=True).get(pk=policy.pk)
        if current != liability.max_liability and current >= liability.committed:
            liability.max_liability = current
            liability.save(update_fields=["max_liability"])
    return liability


def remaining_liability(policy: Policy) -> Decimal:
    liability = policy_liability(policy)
    return policy.max_liability - liability.committed


def recoveries_before_payment(claim: Claim) -> Decimal:
    total = claim.recoveries.filter(after_payment=False).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def claim_indemnity(claim: Claim, *, other_credits: Decimal = ZERO) -> rules.Indemnity:
    """The worksheet's figures for `claim` as the facts stand: each invoice's limit from
    the limit history on its shipment date, the policy's suspension days, the buyer's
    exclusions, the recoveries so far, the remaining maximum liability."""
    policy, notice = claim.policy, claim.notice
    excluded = (
        claim.buyer.is_public_body
        or RelatedParty.objects.filter(
            buyer_id=claim.buyer_id, insured_id=policy.insured_id
        ).exists()
    )
    terms = rules.CoverTerms(
        notice_filed_on=notice.filed_on,
        invoice_deadline_days=policy.invoice_deadline_days,
        max_credit_period_days=policy.max_credit_period_days,
        excluded_buyer=excluded,
    )
    facts = []
    for invoice in notice.invoices.all():
        cover = limit_covering_shipment(
            policy_id=policy.pk, buyer_id=claim.buyer_id, on=invoice.shipment_date
        )
        facts.append(
            rules.InvoiceFacts(
                key=invoice.pk,
                number=invoice.number,
                amount=invoice.amount,
                invoice_date=invoice.invoice_date,
                shipment_date=invoice.shipment_date,
                original_due_date=invoice.original_due_date,
                limit_on_shipment=cover.amount if cover else None,
                limit_payment_terms_days=cover.payment_terms_days if cover else None,
                policy_suspended=policy_suspended_on(policy_id=policy.pk, on=invoice.shipment_date),
                disputed=invoice.disputed,
            )
        )
    return rules.indemnity(
        lines=rules.cover_lines(facts, terms), recoveries=recoveries_before_payment(claim),
        other_credits=other_credits, franchise=policy.franchise,
        indemnity_percentage=policy.indemnity_percentage,
        remaining_liability=remaining_liability(policy),
    )  # fmt: skip


def worksheet_compute(
    *, actor, claim_id: int, other_credits: Decimal = ZERO, today: date | None = None
) -> Worksheet:
    """A new version of the worksheet, stored with every figure; the draft before it is
    superseded (SPEC 7)."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("policy", "notice", "buyer")
            .get(pk=claim_id)
        )
        if claim.status != ClaimStatus.ASSESSMENT:
            raise ValidationError({"action": ERROR_NOT_ASSESSMENT})
        if other_credits is None or other_credits < 0:
            raise ValidationError({"other_credits": ERROR_CREDITS})
        result = claim_indemnity(claim, other_credits=other_credits)
        for draft in claim.worksheets.filter(status=WorksheetStatus.DRAFT):
            transitions.transition(
                WORKSHEET_MACHINE, draft, WorksheetAction.SUPERSEDE, actor=actor, today=today
            )
        version = (claim.worksheets.aggregate(v=Max("version"))["v"] or 0) + 1
        worksheet = Worksheet(
            claim=claim, version=version, computed_by=actor,
            outstanding=result.outstanding, covered_debt=result.covered_debt,
            recoveries=result.recoveries, other_credits=result.other_credits,
            net_loss=result.net_loss, franchise=result.franchise,
            below_franchise=result.below_franchise, limit_amount=result.limit_amount,
            loss_within_limit=result.loss_within_limit,
            indemnity_percentage=result.indemnity_percentage,
            indemnity_before_cap=result.indemnity_before_cap,
            remaining_liability=result.remaining_liability, indemnity=result.indemnity,
        )  # fmt: skip
        transitions.create(
            WORKSHEET_MACHINE, worksheet, WorksheetAction.COMPUTE, actor=actor, today=today
        )
        WorksheetLine.objects.bulk_create(
            WorksheetLine(
                worksheet=worksheet,
                invoice_id=line.facts.key,
                number=line.facts.number,
                shipment_date=line.facts.shipment_date,
                amount=line.facts.amount,
                limit_on_shipment=line.facts.limit_on_shipment,
                covered=line.covered,
                exclusion=line.exclusion,
            )  # fmt: skip
            for line in result.lines
        )
    return worksheet
