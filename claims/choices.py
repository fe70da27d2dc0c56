"""Overdue notices, claims and worksheets with their transition tables (SPEC 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.transitions import StateMachine


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed")
    DISCARDED = "discarded", _("Discarded")


class NoticeAction(models.TextChoices):
    PREPARE = "prepare", _("Prepare")
    FILE = "file", pgettext_lazy("notice action", "File")
    EDIT = "edit", _("Edit")
    RETURN = "return", _("Return to the preparer")
    DISCARD = "discard", _("Discard")


NS, NA = NoticeStatus, NoticeAction

# SPEC 2, 7: a clerk prepares the notice, an approver files it (or files at once). The
# draft is where the overdue account lives before filing: its invoices, extensions and
# repayment plan give the notice deadline that the insured is reminded of.
NOTICE_MACHINE = StateMachine(
    name="claims.overdue_notice",
    model="claims.OverdueNotice",
    history="claims.NoticeStatusChange",
    history_fk="notice",
    rows=(
        ("", NA.PREPARE, NS.DRAFT),
        (NS.DRAFT, NA.EDIT, NS.DRAFT),
        (NS.DRAFT, NA.RETURN, NS.DRAFT),
        (NS.DRAFT, NA.FILE, NS.FILED),
        (NS.DRAFT, NA.DISCARD, NS.DISCARDED),
    ),
    status_labels=dict(NoticeStatus.choices),
    action_labels=dict(NoticeAction.choices),
)

NOTICE_BADGES = {NS.DRAFT: "secondary", NS.FILED: "primary", NS.DISCARDED: "dark"}


class ClaimCause(models.TextChoices):
    PROTRACTED_DEFAULT = "protracted_default", _("Protracted default")
    INSOLVENCY = "insolvency", _("Insolvency")


class ClaimStatus(models.TextChoices):
    COLLECTING = "collecting", _("Collecting documents")
    WAITING = "waiting", _("Waiting period")
    DISPUTED = "disputed", _("Suspended: commercial dispute")
    ASSESSMENT = "assessment", _("Assessment")
    APPROVAL = "approval", _("Awaiting second approval")
    APPROVED = "approved", pgettext_lazy("claim status", "Approved")
    DECLINED = "declined", _("Declined")
    PAID = "paid", pgettext_lazy("claim status", "Paid")


class ClaimAction(models.TextChoices):
    OPEN = "open", _("Open the claim")
    REQUEST_DOCUMENTS = "request_documents", _("Ask for the missing documents")
    COMPLETE = "complete", _("Mark the documents complete")
    ADMIT_DEBT = "admit_debt", _("Record the admitted debt")
    END_WAITING = "end_waiting", _("End of the waiting period")
    DISPUTE = "dispute", _("Suspend for a commercial dispute")
    RESOLVE = "resolve", _("Record the judgment or award")
    RESOLVE_TO_COLLECTING = "resolve_to_collecting", _("Judgment recorded: back to the documents")
    RESOLVE_TO_ASSESSMENT = "resolve_to_assessment", _("Judgment recorded: back to assessment")
    SUBMIT_FOR_APPROVAL = "submit_for_approval", _("Submit for second approval")
    APPROVE = "approve", pgettext_lazy("claim action", "Approve")
    RETURN = "return", _("Return to assessment")
    DECLINE = "decline", _("Decline")
    PAY = "pay", pgettext_lazy("claim action", "Record the payment")


CS, CA = ClaimStatus, ClaimAction

# SPEC 7, 3.2: documents complete -> waiting period of 5 months (protracted default) or,
# for insolvency, assessment once the administrator has admitted the debt. A commercial
# dispute suspends the claim until a judgment or award is recorded. An indemnity above
# the handler's authority waits for a second approver (SPEC 2, four-eyes).
CLAIM_MACHINE = StateMachine(
    name="claims.claim",
    model="claims.Claim",
    history="claims.ClaimStatusChange",
    history_fk="claim",
    rows=(
        ("", CA.OPEN, CS.COLLECTING),
        (CS.COLLECTING, CA.REQUEST_DOCUMENTS, CS.COLLECTING),
        (CS.COLLECTING, CA.COMPLETE, CS.WAITING),
        (CS.WAITING, CA.ADMIT_DEBT, CS.ASSESSMENT),
        (CS.WAITING, CA.END_WAITING, CS.ASSESSMENT),
        (CS.COLLECTING, CA.DISPUTE, CS.DISPUTED),
        (CS.WAITING, CA.DISPUTE, CS.DISPUTED),
        (CS.ASSESSMENT, CA.DISPUTE, CS.DISPUTED),
        # Resolved in the insured's favour, the claim goes back where the dispute found it.
        (CS.DISPUTED, CA.RESOLVE, CS.WAITING),
        (CS.DISPUTED, CA.RESOLVE_TO_COLLECTING, CS.COLLECTING),
        (CS.DISPUTED, CA.RESOLVE_TO_ASSESSMENT, CS.ASSESSMENT),
        (CS.ASSESSMENT, CA.SUBMIT_FOR_APPROVAL, CS.APPROVAL),
        (CS.ASSESSMENT, CA.APPROVE, CS.APPROVED),
        (CS.APPROVAL, CA.APPROVE, CS.APPROVED),
        (CS.APPROVAL, CA.RETURN, CS.ASSESSMENT),
        (CS.COLLECTING, CA.DECLINE, CS.DECLINED),
        (CS.WAITING, CA.DECLINE, CS.DECLINED),
        (CS.DISPUTED, CA.DECLINE, CS.DECLINED),
        (CS.ASSESSMENT, CA.DECLINE, CS.DECLINED),
        (CS.APPROVAL, CA.DECLINE, CS.DECLINED),
        (CS.APPROVED, CA.PAY, CS.PAID),
    ),
    status_labels=dict(ClaimStatus.choices),
    action_labels=dict(ClaimAction.choices),
)

OPEN_CLAIM_STATUSES = frozenset(
    {CS.COLLECTING, CS.WAITING, CS.DISPUTED, CS.ASSESSMENT, CS.APPROVAL}
)

CLAIM_BADGES = {
    CS.COLLECTING: "secondary",
    CS.WAITING: "info",
    CS.DISPUTED: "warning",
    CS.ASSESSMENT: "primary",
    CS.APPROVAL: "primary",
    CS.APPROVED: "success",
    CS.DECLINED: "danger",
    CS.PAID: "success",
}


class WorksheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", pgettext_lazy("worksheet status", "Approved")
    SUPERSEDED = "superseded", _("Superseded by a new version")


class WorksheetAction(models.TextChoices):
    COMPUTE = "compute", _("Compute")
    APPROVE = "approve", pgettext_lazy("worksheet action", "Approve")
    SUPERSEDE = "supersede", _("Supersede")


WS, WA = WorksheetStatus, WorksheetAction

# SPEC 7: the worksheet is computed as often as the assessment needs; the version the
# decision approves is frozen, never recomputed.
WORKSHEET_MACHINE = StateMachine(
    name="claims.worksheet",
    model="claims.Worksheet",
    history="claims.WorksheetStatusChange",
    history_fk="worksheet",
    rows=(
        ("", WA.COMPUTE, WS.DRAFT),
        (WS.DRAFT, WA.SUPERSEDE, WS.SUPERSEDED),
        (WS.DRAFT, WA.APPROVE, WS.APPROVED),
    ),
    status_labels=dict(WorksheetStatus.choices),
    action_labels=dict(WorksheetAction.choices),
)


class DocumentKind(models.TextChoices):
    """The claim file of SPEC 7."""

    CONTRACT = "contract", _("Contract or order")
    INVOICES = "invoices", _("Invoices")
    DELIVERY_PROOF = "delivery_proof", _("Proof of delivery")
    STATEMENT = "statement", _("Statement of account")
    COLLECTION_LETTERS = "collection_letters", _("Collection letters")
    ADMISSION = "admission", _("Court's or administrator's acceptance of the debt")
    JUDGMENT = "judgment", _("Judgment or arbitral award")
    OTHER = "other", _("Other")


# What every claim needs before its file is complete; insolvency adds the admission.
REQUIRED_DOCUMENTS = (
    DocumentKind.CONTRACT,
    DocumentKind.INVOICES,
    DocumentKind.DELIVERY_PROOF,
    DocumentKind.STATEMENT,
    DocumentKind.COLLECTION_LETTERS,
)


def required_documents(cause: str) -> tuple[str, ...]:
    if cause == ClaimCause.INSOLVENCY:
        return (*REQUIRED_DOCUMENTS, DocumentKind.ADMISSION)
    return REQUIRED_DOCUMENTS


class Exclusion(models.TextChoices):
    """Why an invoice is out of the covered debt (SPEC 7 step 1, 3.4)."""

    NO_LIMIT = "no_limit", _("Shipped when no limit covered the buyer")
    AFTER_NOTICE = "after_notice", _("Shipped after the overdue notice")
    AFTER_LIMIT_CUT = "after_limit_cut", _("Shipped after a limit cut, above the reduced limit")
    POLICY_SUSPENDED = "policy_suspended", _("Shipped while the policy was suspended")
    INVOICED_LATE = "invoiced_late", _("Invoiced later than the invoice deadline")
    CREDIT_PERIOD = (
        "credit_period",
        _("Credit period beyond the policy's maximum or the limit's terms"),
    )
    DISPUTED = "disputed", _("Disputed by the buyer")
    EXCLUDED_BUYER = "excluded_buyer", _("Related-party or public buyer")


class DeclineReason(models.TextChoices):
    LATE_NOTICE = "late_notice", _("The notice was filed late")
    EXCLUSION = "exclusion", _("The loss is excluded")
    DISPUTE = "dispute", _("Commercial dispute decided against the insured")
    DOCUMENTS_MISSING = "documents_missing", _("Documents missing")
    NO_COVERED_LOSS = "no_covered_loss", _("No covered loss above the franchise")


class Payee(models.TextChoices):
    INSURED = "insured", _("Insured")
    BANK = "bank", _("Bank (assignment agreement)")


class RecoveryReceiver(models.TextChoices):
    INSURED = "insured", _("Insured")
    INSURER = "insurer", _("Insurer")
