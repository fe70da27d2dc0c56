"""Approving or declining the claim, with four-eyes above the handler's authority (SPEC 2, 7)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from claims import texts
from claims.choices import (
    CLAIM_MACHINE,
    WORKSHEET_MACHINE,
    ClaimAction,
    ClaimStatus,
    DeclineReason,
    WorksheetAction,
    WorksheetStatus,
)
from claims.models import Claim, ClaimDecision, Worksheet
from claims.services.claims import _lock_claim, _tell_insured
from claims.services.common import claims_team, require_claims_staff, today_or
from claims.services.worksheets import claim_indemnity, policy_liability
from core import transitions
from core.services import action
from deadlines.choices import DeadlineKind, DeadlineParty
from deadlines.services import deadline_meet, deadline_set, deadline_waive
from notifications.services import notify_users

ERROR_NO_WORKSHEET = _("Compute the worksheet first.")
ERROR_NOTHING = _("The worksheet gives no indemnity: decline the claim instead.")
ERROR_OWN = _("You submitted this indemnity for approval: another approver must decide it.")
ERROR_AUTHORITY = _("The indemnity %(amount)s is above your authority of %(authority)s.")
ERROR_LIABILITY = _(
    "Only %(remaining)s remains of the policy year's maximum liability: compute the "
    "worksheet again."
)
ERROR_REASONS = _("Give at least one reason.")
ERROR_STALE = _(
    "The claim changed since this worksheet was computed (a recovery, a disputed invoice or "
    "the limit): compute the worksheet again."
)
ERROR_NOTE = _("Say why.")


def _latest_draft(claim: Claim) -> Worksheet:
    """The draft to decide on, refused if the facts moved since it was computed (a
    recovery, an invoice disputed, a limit changed): its figures must be those the claim
    gives now, or the approval would pay on a stale worksheet."""
    worksheet = claim.worksheets.filter(status=WorksheetStatus.DRAFT).order_by("-version").first()
    if worksheet is None:
        raise ValidationError({"worksheet": ERROR_NO_WORKSHEET})
    now = claim_indemnity(claim, other_credits=worksheet.other_credits)
    lines = {(line.invoice_id, line.covered, line.exclusion, line.limit_on_shipment)
             for line in worksheet.lines.all()}  # fmt: skip
    current = {(line.facts.key, line.covered, line.exclusion, line.facts.limit_on_shipment)
               for line in now.lines}  # fmt: skip
    figures = ("covered_debt", "recoveries", "net_loss", "limit_amount", "indemnity_before_cap")
    if lines != current or any(getattr(now, f) != getattr(worksheet, f) for f in figures):
        raise ValidationError({"worksheet": ERROR_STALE})
    return worksheet


def _decision(claim, action_, actor, *, worksheet=None, reasons=(), note="") -> ClaimDecision:
    return ClaimDecision.objects.create(
        claim=claim, worksheet=worksheet, action=action_, reasons=list(reasons), note=note,
        indemnity=worksheet.indemnity if worksheet else None, decided_by=actor,
    )  # fmt: skip


def claim_approve(*, actor, claim_id: int, note: str = "", today: date | None = None) -> Claim:
    """Approve the latest worksheet's indemnity. Above the actor's authority it waits for a
    second claims user whose authority covers it, never the first (SPEC 2). The final
    approval commits the indemnity against the policy year's maximum liability under the
    liability row's lock, and freezes the worksheet."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        worksheet = _latest_draft(claim)
        if worksheet.indemnity <= 0:
            raise ValidationError({"worksheet": ERROR_NOTHING})
        if claim.status == ClaimStatus.APPROVAL:
            submitted = claim.decisions.filter(action=ClaimAction.SUBMIT_FOR_APPROVAL).last()
            if submitted and submitted.decided_by_id == actor.pk:
                raise PermissionError(str(ERROR_OWN))
        covered = actor.authority_amount >= worksheet.indemnity or actor.is_superuser
        if not covered and claim.status == ClaimStatus.ASSESSMENT:
            transitions.transition(
                CLAIM_MACHINE, claim, ClaimAction.SUBMIT_FOR_APPROVAL, actor=actor,
                reason=note, today=today,
            )  # fmt: skip
            _decision(claim, ClaimAction.SUBMIT_FOR_APPROVAL, actor, worksheet=worksheet, note=note)
            approvers = (
                claims_team().filter(authority_amount__gte=worksheet.indemnity).exclude(pk=actor.pk)
            )
            notify_users(
                users=approvers, subject_code=texts.TO_APPROVE.code, url=claim.get_absolute_url(),
                params={"reference": claim.reference, "indemnity": str(worksheet.indemnity)},
            )  # fmt: skip
            return claim
        if not covered:
            raise ValidationError(
                {"action": ERROR_AUTHORITY
                 % {"amount": worksheet.indemnity, "authority": actor.authority_amount}}
            )  # fmt: skip
        liability = policy_liability(claim.policy, lock=True)
        remaining = max(
            min(liability.max_liability, claim.policy.max_liability) - liability.committed, 0
        )
        if worksheet.indemnity > remaining:
            raise ValidationError({"worksheet": ERROR_LIABILITY % {"remaining": remaining}})
        liability.committed += worksheet.indemnity
        try:
            with transaction.atomic():
                liability.save(update_fields=["committed"])
        except IntegrityError:  # the database's own guard (liability_within_maximum)
            raise ValidationError(
                {"worksheet": ERROR_LIABILITY % {"remaining": remaining}}
            ) from None
        transitions.transition(
            WORKSHEET_MACHINE, worksheet, WorksheetAction.APPROVE, actor=actor, today=today
        )
        payment_due_on = today + timedelta(days=claim.policy.indemnity_payment_days)
        if claim.payment_due_on:
            payment_due_on = min(payment_due_on, claim.payment_due_on)
        transitions.transition(
            CLAIM_MACHINE, claim, ClaimAction.APPROVE, actor=actor, reason=note, today=today,
            changes={"decided_on": today, "payment_due_on": payment_due_on},
        )  # fmt: skip
        _decision(claim, ClaimAction.APPROVE, actor, worksheet=worksheet, note=note)
        deadline_meet(kind=DeadlineKind.CLAIM_DECISION, subject=claim, on=today, actor=actor)
        deadline_set(
            kind=DeadlineKind.INDEMNITY_PAYMENT, party=DeadlineParty.INSURER, policy=claim.policy,
            buyer=claim.buyer, subject=claim, due_on=payment_due_on, detail=claim.reference,
            url=claim.get_absolute_url(), actor=actor,
        )  # fmt: skip
        _tell_insured(claim, texts.APPROVED, indemnity=str(worksheet.indemnity))
    return claim


def claim_return(*, actor, claim_id: int, note: str) -> Claim:
    """The second approver sends the indemnity back to assessment."""
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        if not note.strip():
            raise ValidationError({"note": ERROR_NOTE})
        transitions.transition(CLAIM_MACHINE, claim, ClaimAction.RETURN, actor=actor, reason=note)
        _decision(claim, ClaimAction.RETURN, actor, note=note)
    return claim


def claim_decline(
    *, actor, claim_id: int, reasons: list[str], note: str = "", today: date | None = None
) -> Claim:
    """Decline with reasons (late notice, exclusion, dispute, documents missing); the
    insurer's open clocks on the claim fall away."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        reasons = [reason for reason in dict.fromkeys(reasons) if reason in DeclineReason.values]
        if not reasons:
            raise ValidationError({"reasons": ERROR_REASONS})
        transitions.transition(
            CLAIM_MACHINE, claim, ClaimAction.DECLINE, actor=actor, reason=note, today=today,
            changes={"decided_on": today},
        )  # fmt: skip
        for draft in claim.worksheets.filter(status=WorksheetStatus.DRAFT):
            transitions.transition(WORKSHEET_MACHINE, draft, WorksheetAction.SUPERSEDE, actor=actor)
        _decision(claim, ClaimAction.DECLINE, actor, reasons=reasons, note=note)
        deadline_meet(kind=DeadlineKind.CLAIM_DECISION, subject=claim, on=today, actor=actor)
        for kind in (DeadlineKind.DOCUMENT_REQUEST, DeadlineKind.ADVANCE_PAYMENT,
                     DeadlineKind.INDEMNITY_PAYMENT):  # fmt: skip
            deadline_waive(kind=kind, subject=claim, actor=actor, reason=note)
        _tell_insured(claim, texts.DECLINED)
    return claim
