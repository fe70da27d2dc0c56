"""The claim from its opening to the end of the waiting period (SPEC 3.2, 7)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from claims import rules, texts
from claims.choices import (
    CLAIM_MACHINE,
    ClaimAction,
    ClaimCause,
    ClaimStatus,
    DocumentKind,
    NoticeStatus,
    required_documents,
)
from claims.models import Claim, ClaimDocument, DocumentRequest, NoticeInvoice, OverdueNotice
from claims.services.common import (
    INSURED_FILERS,
    INSURED_PREPARERS,
    claims_team,
    next_reference,
    require_claims_staff,
    require_insured_or_claims_staff,
    today_or,
)
from core import transitions
from core.services import action
from core.sweeps import BATCH_SIZE, drain_batches
from core.uploads import checked_upload
from deadlines.choices import DeadlineKind, DeadlineParty
from deadlines.services import (
    deadline_meet,
    deadline_set,
    deadline_waive,
    recipients_of_insured,
    recipients_of_insureds,
)
from notifications.services import Message, notify_many, notify_users

ERROR_NOT_FILED = _("A claim is opened from a filed notice.")
ERROR_HAS_CLAIM = _("This notice has a claim already.")
ERROR_CAUSE = _("Choose the cause of the loss.")
ERROR_KIND = _("Choose which document of the checklist this is.")
ERROR_CLOSED = _("The claim is decided: its file is closed.")
ERROR_MISSING = _("Still missing: %(kinds)s.")
ERROR_REQUESTED = _("The missing documents were asked for on %(on)s: ask once, all together.")
ERROR_NOTHING_MISSING = _("Name the documents that are missing.")
ERROR_NOT_INSOLVENCY = _("Only an insolvency claim waits for the admitted debt.")
ERROR_REASON = _("Give the reason.")
ERROR_NOT_ASSESSMENT = _("Invoices are marked disputed while the claim is open.")
ERROR_NOT_DISPUTED = _("Only a claim suspended for a dispute waits for a judgment.")

JOB_WAITING = "claims.waiting-period"


def _lock_claim(claim_id: int) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("policy", "buyer", "notice")
        .get(pk=claim_id)
    )


def _params(claim: Claim, **extra) -> dict:
    return {"reference": claim.reference, "buyer": str(claim.buyer), **extra}


def _tell_insured(claim: Claim, text, **extra) -> None:
    notify_users(
        users=recipients_of_insured(claim.policy.insured_id), subject_code=text.code,
        params=_params(claim, **extra), url=claim.get_absolute_url(),
    )  # fmt: skip


def _insurer_deadline(claim: Claim, kind: str, due_on: date, actor=None, job="") -> None:
    deadline_set(
        kind=kind, party=DeadlineParty.INSURER, policy=claim.policy, buyer=claim.buyer,
        subject=claim, due_on=due_on, detail=claim.reference, url=claim.get_absolute_url(),
        actor=actor, job=job,
    )  # fmt: skip


def claim_open(*, actor, notice_id: int, cause: str, today: date | None = None) -> Claim:
    """Open the claim of a filed notice (SPEC 7); it meets the insured's claim-filing
    deadline and starts the insurer's: missing documents asked for once (art. 22) and an
    advance of what can be established within 60 days (art. 25)."""
    today = today_or(today)
    with action(actor):
        notice = (
            OverdueNotice.objects.select_for_update(of=("self",))
            .select_related("policy")
            .get(pk=notice_id)
        )
        require_insured_or_claims_staff(actor, notice.policy, INSURED_FILERS)
        if notice.status != NoticeStatus.FILED:
            raise ValidationError({"notice": ERROR_NOT_FILED})
        if cause not in ClaimCause.values:
            raise ValidationError({"cause": ERROR_CAUSE})
        if Claim.objects.filter(notice=notice).exists():
            raise ValidationError({"notice": ERROR_HAS_CLAIM})
        claim = Claim(
            reference=next_reference("CL", today), notice=notice, policy=notice.policy,
            buyer=notice.buyer, cause=cause, opened_on=today, opened_by=actor,
        )  # fmt: skip
        transitions.create(CLAIM_MACHINE, claim, ClaimAction.OPEN, actor=actor, today=today)
        deadline_meet(kind=DeadlineKind.CLAIM_FILING, subject=notice, on=today, actor=actor)
        _insurer_deadline(
            claim, DeadlineKind.DOCUMENT_REQUEST,
            today + timedelta(days=settings.CLAIM_DOCUMENT_REQUEST_DAYS), actor,
        )  # fmt: skip
        notify_users(
            users=claims_team(), subject_code=texts.CLAIM_OPENED.code, params=_params(claim),
            url=claim.get_absolute_url(),
        )  # fmt: skip
    return claim


def claim_document_upload(
    *, actor, claim_id: int, kind: str, filename: str, content: bytes, today: date | None = None
) -> ClaimDocument:
    """Add a file to the claim's checklist (SPEC 7): type from the content, size capped."""
    with action(actor):
        claim = _lock_claim(claim_id)
        require_insured_or_claims_staff(actor, claim.policy, INSURED_PREPARERS)
        if claim.status in (ClaimStatus.APPROVED, ClaimStatus.DECLINED, ClaimStatus.PAID):
            raise ValidationError({"file": ERROR_CLOSED})
        if kind not in DocumentKind.values:
            raise ValidationError({"kind": ERROR_KIND})
        upload = checked_upload(filename=filename, content=content)
        document = ClaimDocument(
            claim=claim, kind=kind, filename=upload.filename, content_type=upload.content_type,
            size=len(content), sha256=upload.sha256, content=content, uploaded_by=actor,
        )  # fmt: skip
        document.save()
    return document


def missing_documents(claim: Claim) -> list[str]:
    present = set(claim.documents.values_list("kind", flat=True))
    return [kind for kind in required_documents(claim.cause) if kind not in present]


def _labels(kinds) -> str:
    return ", ".join(str(DocumentKind(kind).label) for kind in kinds)


def claim_documents_request(
    *, actor, claim_id: int, kinds: list[str], note: str = "", today: date | None = None
) -> DocumentRequest:
    """Ask the insured for every missing document, once and all together (art. 22)."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        existing = DocumentRequest.objects.filter(claim=claim).first()
        if existing is not None:
            raise ValidationError({"kinds": ERROR_REQUESTED % {"on": existing.requested_on}})
        kinds = [kind for kind in dict.fromkeys(kinds) if kind in DocumentKind.values]
        if not kinds:
            raise ValidationError({"kinds": ERROR_NOTHING_MISSING})
        transitions.transition(
            CLAIM_MACHINE, claim, ClaimAction.REQUEST_DOCUMENTS, actor=actor, today=today,
            reason=note, changes={"documents_requested_on": today},
        )  # fmt: skip
        try:
            with transaction.atomic():
                request = DocumentRequest.objects.create(
                    claim=claim, kinds=kinds, note=note, requested_on=today, requested_by=actor
                )
        except IntegrityError:
            raise ValidationError({"kinds": ERROR_REQUESTED % {"on": today}}) from None
        deadline_meet(kind=DeadlineKind.DOCUMENT_REQUEST, subject=claim, on=today, actor=actor)
        _tell_insured(claim, texts.DOCUMENTS_REQUESTED, kinds=_labels(kinds))
    return request


def claim_documents_complete(*, actor, claim_id: int, today: date | None = None) -> Claim:
    """The file is complete (SPEC 7): the waiting period of protracted default runs from
    today; an insolvency claim waits for the administrator's admission of the debt. The
    insurer owes its decision within 30 days of the complete file (art. 23), counted from
    the end of the waiting period, when the loss is established."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        missing = missing_documents(claim)
        if missing:
            raise ValidationError({"documents": ERROR_MISSING % {"kinds": _labels(missing)}})
        waiting_ends_on = None
        if claim.cause == ClaimCause.PROTRACTED_DEFAULT:
            waiting_ends_on = rules.waiting_period_end(today, claim.policy.waiting_period_months)
        decision_due_on = (waiting_ends_on or today) + timedelta(
            days=claim.policy.claim_decision_days
        )
        transitions.transition(
            CLAIM_MACHINE, claim, ClaimAction.COMPLETE, actor=actor, today=today,
            changes={"documents_complete_on": today, "waiting_ends_on": waiting_ends_on,
                     "decision_due_on": decision_due_on},
        )  # fmt: skip
        # Nothing is missing any more: there is nothing left to ask for.
        deadline_meet(kind=DeadlineKind.DOCUMENT_REQUEST, subject=claim, on=today, actor=actor)
        if claim.cause == ClaimCause.PROTRACTED_DEFAULT:
            _insurer_deadline(claim, DeadlineKind.CLAIM_DECISION, decision_due_on, actor)
        # Art. 25: what can be established is paid within 60 days of the complete claim.
        _insurer_deadline(
            claim, DeadlineKind.ADVANCE_PAYMENT,
            today + timedelta(days=claim.policy.advance_payment_days), actor,
        )  # fmt: skip
        _tell_insured(
            claim, texts.DOCUMENTS_COMPLETE,
            until=waiting_ends_on.isoformat() if waiting_ends_on else "—",
        )  # fmt: skip
    return claim


def claim_advance_none(*, actor, claim_id: int, reason: str) -> Claim:
    """Record why no advance is paid (art. 25): nothing of the loss can be established yet,
    e.g. while the waiting period of protracted default runs. The reason stays in the
    deadline's history, with who recorded it."""
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        if not reason.strip():
            raise ValidationError({"reason": ERROR_REASON})
        deadline_waive(kind=DeadlineKind.ADVANCE_PAYMENT, subject=claim, actor=actor, reason=reason)
    return claim


def claim_debt_admitted(
    *, actor, claim_id: int, admitted_on: date, today: date | None = None
) -> Claim:
    """Insolvency: the administrator admitted the debt; payment is due within 30 days
    (SPEC 3.2), and so is the decision."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        if claim.cause != ClaimCause.INSOLVENCY:
            raise ValidationError({"admitted_on": ERROR_NOT_INSOLVENCY})
        if admitted_on > today:
            raise ValidationError({"admitted_on": _("The date cannot be in the future.")})
        if admitted_on < claim.notice.filed_on:
            raise ValidationError(
                {"admitted_on": _("The debt cannot be admitted before the notice.")}
            )
        payment_due_on = admitted_on + timedelta(days=claim.policy.insolvency_payment_days)
        decision_due_on = min(
            admitted_on + timedelta(days=claim.policy.claim_decision_days), payment_due_on
        )
        transitions.transition(
            CLAIM_MACHINE, claim, ClaimAction.ADMIT_DEBT, actor=actor, today=today,
            changes={"debt_admitted_on": admitted_on, "payment_due_on": payment_due_on,
                     "decision_due_on": decision_due_on},
        )  # fmt: skip
        _insurer_deadline(claim, DeadlineKind.CLAIM_DECISION, decision_due_on, actor)
        _insurer_deadline(claim, DeadlineKind.INDEMNITY_PAYMENT, payment_due_on, actor)
    return claim


def _end_waiting(claim_ids: list[int], *, today: date) -> int:
    """One batch of the waiting sweep, its rows locked by `drain_batches`: every claim
    moves to assessment in bulk, and each insured is told of each of its claims."""
    claims = list(Claim.objects.select_related("policy", "buyer").filter(pk__in=claim_ids))
    moved = transitions.transition_many(
        CLAIM_MACHINE, claims, ClaimAction.END_WAITING, job=JOB_WAITING, today=today
    )
    users = recipients_of_insureds({claim.policy.insured_id for claim in moved})
    notify_many(
        Message(users=users[claim.policy.insured_id], subject_code=texts.WAITING_ENDED.code,
                params=_params(claim), url=claim.get_absolute_url())
        for claim in moved
    )  # fmt: skip
    return len(moved)


def claims_waiting_sweep(*, today: date, batch_size: int = BATCH_SIZE) -> int:
    """Move every protracted-default claim whose waiting period has ended to assessment
    (SPEC 7, 10), a locked batch per transaction (`core.sweeps.drain_batches`): a second
    run, or a concurrent one, moves nothing twice, and a crash leaves the rest for the
    next run."""
    due = Claim.objects.filter(
        status=ClaimStatus.WAITING, cause=ClaimCause.PROTRACTED_DEFAULT, waiting_ends_on__lte=today
    )
    return drain_batches(due, lambda ids: _end_waiting(ids, today=today), batch_size=batch_size)


def claim_dispute(*, actor, claim_id: int, reason: str, today: date | None = None) -> Claim:
    """A commercial dispute over the insured's performance suspends the claim until a
    judgment or award is recorded (SPEC 3.4)."""
    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        claim = _lock_claim(claim_id)
        if not reason.strip():
            raise ValidationError({"reason": ERROR_REASON})
        transitions.transition(
            CLAIM_MACHINE, claim, ClaimAction.DISPUTE, actor=actor, reason=reason, today=today,
            changes={"disputed_since": today, "disputed_from": claim.status},
        )  # fmt: skip
        deadline_waive(kind=DeadlineKind.CLAIM_DECISION, subject=claim, actor=actor, reason=reason)
    return claim


# Where a favourable judgment sends the claim back: where the dispute found it.
RESUME = {
    ClaimStatus.COLLECTING: ClaimAction.RESOLVE_TO_COLLECTING,
    ClaimStatus.WAITING: ClaimAction.RESOLVE,
    ClaimStatus.ASSESSMENT: ClaimAction.RESOLVE_TO_ASSESSMENT,
}


def claim_resolve(
    *, actor, claim_id: int, in_favour_of_insured: bool, note: str, today: date | None = None
) -> Claim:
    """The judgment or award on a disputed claim: in the insured's favour the claim goes
    back where the dispute found it (collecting documents, its waiting period going on or
    ending at the next sweep, or the assessment), with the decision clock restarted;
    against it, the claim is declined."""
    from claims.services.decisions import claim_decline

    today = today_or(today)
    with action(actor):
        require_claims_staff(actor)
        if not note.strip():
            raise ValidationError({"note": ERROR_REASON})
        claim = _lock_claim(claim_id)
        if claim.status != ClaimStatus.DISPUTED:
            raise ValidationError({"action": ERROR_NOT_DISPUTED})
        if not in_favour_of_insured:
            return claim_decline(
                actor=actor, claim_id=claim_id, reasons=["dispute"], note=note, today=today
            )
        back = RESUME.get(claim.disputed_from, ClaimAction.RESOLVE_TO_COLLECTING)
        decision_due_on = None
        if back != ClaimAction.RESOLVE_TO_COLLECTING:
            start = max(claim.waiting_ends_on or today, today)
            decision_due_on = start + timedelta(days=claim.policy.claim_decision_days)
        transitions.transition(
            CLAIM_MACHINE, claim, back, actor=actor, reason=note, today=today,
            changes={"disputed_since": None, "disputed_from": "",
                     "decision_due_on": decision_due_on or claim.decision_due_on},
        )  # fmt: skip
        if decision_due_on:
            _insurer_deadline(claim, DeadlineKind.CLAIM_DECISION, decision_due_on, actor)
    return claim


def invoice_dispute_set(*, actor, invoice_id: int, disputed: bool) -> NoticeInvoice:
    """Mark an invoice disputed by the buyer: it leaves the covered debt (SPEC 3.4)."""
    with action(actor):
        require_claims_staff(actor)
        notice_id = NoticeInvoice.objects.values_list("notice_id", flat=True).get(pk=invoice_id)
        claim = Claim.objects.select_for_update().filter(notice_id=notice_id).first()
        invoice = NoticeInvoice.objects.select_for_update().get(pk=invoice_id)
        if claim is None or claim.status not in (ClaimStatus.ASSESSMENT, ClaimStatus.WAITING,
                                                 ClaimStatus.COLLECTING, ClaimStatus.DISPUTED):  # fmt: skip
            raise ValidationError({"disputed": ERROR_NOT_ASSESSMENT})
        invoice.disputed = disputed
        invoice.save(update_fields=["disputed"])
    return invoice
