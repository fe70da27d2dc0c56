"""Reads of notices and claims, always through `core.scope` (SPEC 2, 7)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, DateField, F, QuerySet, Value, When
from django.db.models.functions import Cast, Least

from claims.choices import (
    CLAIM_MACHINE,
    OPEN_CLAIM_STATUSES,
    ClaimAction,
    ClaimCause,
    ClaimStatus,
    DocumentKind,
    WorksheetStatus,
    required_documents,
)
from claims.models import (
    Claim,
    ClaimDecision,
    ClaimDocument,
    IndemnityPayment,
    NoticeInvoice,
    OverdueNotice,
    Recovery,
    Worksheet,
    WorksheetLine,
)
from claims.services.common import INSURED_FILERS, INSURED_PREPARERS, is_claims_staff
from claims.services.notices import notice_actions
from core import scope
from deadlines.choices import DeadlineKind, DeadlineStatus
from deadlines.models import Deadline


def notices_visible_to(user) -> QuerySet[OverdueNotice]:
    return scope.visible(user, OverdueNotice).select_related("policy__insured", "buyer")


def invoices_visible_to(user) -> QuerySet[NoticeInvoice]:
    return scope.visible(user, NoticeInvoice)


def claims_visible_to(user) -> QuerySet[Claim]:
    return scope.visible(user, Claim).select_related(
        "policy__insured", "buyer", "notice", "handler"
    )


def claim_documents_visible_to(user) -> QuerySet[ClaimDocument]:
    return scope.visible(user, ClaimDocument).defer("content")


def worksheets_visible_to(user) -> QuerySet[Worksheet]:
    return scope.visible(user, Worksheet).select_related("claim")


def worksheet_lines_visible_to(user) -> QuerySet[WorksheetLine]:
    return scope.visible(user, WorksheetLine)


def recoveries_visible_to(user) -> QuerySet[Recovery]:
    return scope.visible(user, Recovery)


def decisions_visible_to(user) -> QuerySet[ClaimDecision]:
    return scope.visible(user, ClaimDecision).select_related("decided_by")


def payments_visible_to(user) -> QuerySet[IndemnityPayment]:
    return scope.visible(user, IndemnityPayment).select_related("payee_organisation")


# --- clocks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """One deadline as the pages show it: days left (negative once passed)."""

    kind: str
    label: str
    party: str
    due_on: date
    deadline_status: str
    met_on: date | None
    today: date

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    @property
    def missed(self) -> bool:
        if self.deadline_status == DeadlineStatus.MISSED:
            return True
        if self.deadline_status == DeadlineStatus.MET and self.met_on:
            return self.met_on > self.due_on
        return self.deadline_status == DeadlineStatus.OPEN and self.due_on < self.today

    @property
    def pending(self) -> bool:
        return self.deadline_status in (DeadlineStatus.OPEN, DeadlineStatus.MISSED)


def _clocks(subject, *, today: date, user=None) -> list[Clock]:
    deadlines = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )
    if user is not None:
        deadlines = scope.visible(user, deadlines)
    clocks = []
    for deadline in deadlines.order_by("due_on", "id"):
        label = DeadlineKind(deadline.kind).label
        if deadline.detail and deadline.kind == DeadlineKind.EXTENSION_END:
            label = f"{label} ({deadline.detail})"
        clocks.append(
            Clock(
                kind=deadline.kind,
                label=str(label),
                party=deadline.party,
                due_on=deadline.due_on,
                deadline_status=deadline.status,
                met_on=deadline.met_on,
                today=today,
            )  # fmt: skip
        )
    return clocks


def notice_clocks(notice: OverdueNotice, *, today: date, user=None) -> list[Clock]:
    """The notice deadline, each extension's end and the claim-filing deadline."""
    return _clocks(notice, today=today, user=user)


def claim_clocks(claim: Claim, *, today: date, user=None) -> list[Clock]:
    """The insurer's clocks on the claim (documents, decision, payment, advance) and the
    waiting period's end while it runs."""
    clocks = _clocks(claim, today=today, user=user)
    if claim.status == ClaimStatus.WAITING and claim.waiting_ends_on:
        clocks.append(
            Clock(
                kind="waiting_period",
                label=str(ClaimStatus.WAITING.label),
                party="insurer",
                due_on=claim.waiting_ends_on,
                deadline_status=DeadlineStatus.OPEN,
                met_on=None,
                today=today,
            )  # fmt: skip
        )
    return sorted(clocks, key=lambda clock: clock.due_on)


def claim_queue(user, *, today: date) -> QuerySet[Claim]:
    """The claims staff's queue: each claim with its next clock (`next_due_on`), the one
    that decides what the handler does next."""
    waiting = Case(
        When(status=ClaimStatus.WAITING, then=F("waiting_ends_on")), output_field=DateField()
    )
    decision = Case(
        When(status__in=[ClaimStatus.ASSESSMENT, ClaimStatus.APPROVAL, ClaimStatus.WAITING],
             then=F("decision_due_on")),
        output_field=DateField(),
    )  # fmt: skip
    payment = Case(
        When(status=ClaimStatus.APPROVED, then=F("payment_due_on")), output_field=DateField()
    )
    documents = Case(
        When(status=ClaimStatus.COLLECTING, documents_requested_on__isnull=True,
             then=Cast(F("opened_on") + Value(_document_request_days()), DateField())),
        output_field=DateField(),
    )  # fmt: skip
    return (
        claims_visible_to(user)
        .annotate(
            waiting_due=waiting,
            decision_due=decision,
            payment_due=payment,
            documents_due=documents,
        )  # fmt: skip
        .annotate(next_due_on=Least("waiting_due", "decision_due", "payment_due", "documents_due"))
    )


def _document_request_days() -> timedelta:
    return timedelta(days=settings.CLAIM_DOCUMENT_REQUEST_DAYS)


# --- the claim page ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    label: str
    required: bool
    documents: list


def claim_checklist(claim: Claim, user=None) -> list[ChecklistItem]:
    """The SPEC 7 document checklist: each kind, whether it is required for the cause, and
    the files uploaded for it."""
    documents = claim.documents.defer("content").order_by("uploaded_at", "id")
    if user is not None:
        documents = scope.visible(user, documents)
    by_kind: dict[str, list] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    required = set(required_documents(claim.cause))
    kinds = [k for k in DocumentKind.values if k in required or k in by_kind]
    if claim.cause != ClaimCause.INSOLVENCY and DocumentKind.ADMISSION not in by_kind:
        kinds = [k for k in kinds if k != DocumentKind.ADMISSION]
    return [
        ChecklistItem(
            kind=kind,
            label=str(DocumentKind(kind).label),
            required=kind in required,
            documents=by_kind.get(kind, []),
        )  # fmt: skip
        for kind in kinds
    ]


def current_worksheet(claim: Claim, user) -> Worksheet | None:
    """The approved worksheet if there is one, else the latest the user may see."""
    worksheets = worksheets_visible_to(user).filter(claim=claim)
    approved = worksheets.filter(status=WorksheetStatus.APPROVED).first()
    if approved is not None:
        return approved
    return worksheets.exclude(status=WorksheetStatus.SUPERSEDED).order_by("-version").first()


def allowed_notice_actions(notice: OverdueNotice, user) -> list[str]:
    return notice_actions(notice, user)


def may_open_claim(notice: OverdueNotice, user) -> bool:
    if notice.status != "filed" or hasattr(notice, "claim"):
        return False
    if is_claims_staff(user):
        return True
    return user.organisation_id == notice.policy.insured_id and user.role in INSURED_FILERS


def may_upload(claim: Claim, user) -> bool:
    if claim.status not in OPEN_CLAIM_STATUSES:
        return False
    if is_claims_staff(user):
        return True
    return user.organisation_id == claim.policy.insured_id and user.role in INSURED_PREPARERS


# Staff actions on the claim by status, beyond the transition table's own rows: the
# worksheet is computed during the assessment; payment and recoveries follow approval.
EXTRA_ACTIONS = {
    ClaimStatus.ASSESSMENT: ["compute_worksheet"],
    ClaimStatus.PAID: ["record_recovery"],
    ClaimStatus.COLLECTING: ["record_recovery"],
    ClaimStatus.WAITING: ["record_recovery"],
    ClaimStatus.DISPUTED: ["record_recovery"],
}
# Moves a person never makes as such: the sweep ends the waiting period; the service
# picks where a favourable judgment sends the claim back (one "resolve" button).
JOB_ACTIONS = {
    ClaimAction.END_WAITING, ClaimAction.OPEN, ClaimAction.RESOLVE_TO_COLLECTING,
    ClaimAction.RESOLVE_TO_ASSESSMENT,
}  # fmt: skip


def allowed_claim_actions(claim: Claim, user) -> list[str]:
    """The buttons a claims user sees on the claim (insured and bank users: none)."""
    if not is_claims_staff(user):
        return []
    actions = [a for a in CLAIM_MACHINE.allowed_actions(claim.status) if a not in JOB_ACTIONS]
    if claim.status == ClaimStatus.COLLECTING and claim.documents_requested_on:
        actions = [a for a in actions if a != ClaimAction.REQUEST_DOCUMENTS]
    if claim.cause != ClaimCause.INSOLVENCY:
        actions = [a for a in actions if a != ClaimAction.ADMIT_DEBT]
    if claim.status == ClaimStatus.ASSESSMENT:
        # One approve button: above the user's authority it submits for a second approval.
        actions = [a for a in actions if a != ClaimAction.SUBMIT_FOR_APPROVAL]
    if claim.status == ClaimStatus.APPROVAL:
        submitted = claim.decisions.filter(action=ClaimAction.SUBMIT_FOR_APPROVAL).last()
        if submitted and submitted.decided_by_id == user.pk:
            actions = [a for a in actions if a != ClaimAction.APPROVE]
    return actions + EXTRA_ACTIONS.get(claim.status, [])
