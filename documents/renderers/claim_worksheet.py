"""赔款计算书, the claim worksheet as approved (SPEC 7: every step of the arithmetic).

Requested when a worksheet is approved (documents.reactions). It shows the figures the
worksheet stored when it was computed, never a new computation: every invoice in or out
with its reason and the limit on its shipment date, the covered debt, the recoveries and
other credits, the net loss, the franchise test, min(net loss, limit), the indemnity
percentage, the cap by the remaining maximum liability, and the indemnity in figures
and in capitals, with the worksheet's version and who approved it.
"""

from dataclasses import dataclass
from datetime import datetime

from claims.choices import ClaimAction, ClaimCause, Exclusion, WorksheetAction
from claims.models import ClaimDecision, Worksheet
from documents import registry
from documents.choices import DocumentKind

TITLE = "赔款计算书"

# The document's own Chinese wording of each reason an invoice is out of cover and of
# each cause of loss (documents.pdf: an issued document's text does not come from a
# translation catalogue). tests/documents check that every code has its text.
EXCLUSION_TEXTS = {
    Exclusion.NO_LIMIT: "出运时买方无有效信用限额",
    Exclusion.AFTER_NOTICE: "在提交可能损失通知书之后出运",
    Exclusion.AFTER_LIMIT_CUT: "在信用限额降低之后出运，超出降低后的限额",
    Exclusion.POLICY_SUSPENDED: "在保单中止期间出运",
    Exclusion.INVOICED_LATE: "晚于开票期限开具发票",
    Exclusion.CREDIT_PERIOD: "信用期限超过最长信用期限",
    Exclusion.DISPUTED: "买方提出贸易纠纷",
    Exclusion.EXCLUDED_BUYER: "关联方或公共机构买方",
}
CAUSE_TEXTS = {
    ClaimCause.PROTRACTED_DEFAULT: "买方拖欠（长期拖欠）",
    ClaimCause.INSOLVENCY: "买方无力清偿（破产）",
}


@dataclass(frozen=True)
class Approval:
    role: str  # as the worksheet names it
    by: object
    at: datetime
    note: str = ""


# Four-eyes (SPEC 2): an indemnity above the handler's authority is submitted by one and
# approved by another; both are named.
APPROVAL_ROLES = {ClaimAction.SUBMIT_FOR_APPROVAL: "提交复核", ClaimAction.APPROVE: "审批人"}


def approvals(worksheet: Worksheet) -> list[Approval]:
    """Who approved the indemnity: the claim decisions on this worksheet, else the
    worksheet's own approval record."""
    decisions = (
        ClaimDecision.objects.filter(worksheet=worksheet, action__in=list(APPROVAL_ROLES))
        .select_related("decided_by")
        .order_by("decided_at", "id")
    )
    found = [
        Approval(APPROVAL_ROLES[d.action], d.decided_by, d.decided_at, d.note) for d in decisions
    ]
    if found:
        return found
    changes = worksheet.changes.filter(action=WorksheetAction.APPROVE).select_related("actor")
    return [
        Approval(APPROVAL_ROLES[ClaimAction.APPROVE], change.actor or change.job, change.created_at)
        for change in changes
    ]


def parties(worksheet: Worksheet) -> tuple[int, int]:
    """The claim's policy and buyer: a worksheet has none of its own."""
    return worksheet.claim.policy_id, worksheet.claim.buyer_id


def context(worksheet: Worksheet) -> dict:
    worksheet = Worksheet.objects.select_related(
        "claim", "claim__notice", "claim__policy", "claim__policy__insured", "claim__buyer",
        "computed_by",
    ).get(pk=worksheet.pk)  # fmt: skip
    lines = [
        {"line": line, "reason": EXCLUSION_TEXTS[line.exclusion] if line.exclusion else ""}
        for line in worksheet.lines.order_by("shipment_date", "number", "id")
    ]
    claim = worksheet.claim
    return {
        "worksheet": worksheet,
        "claim": claim,
        "notice": claim.notice,
        "policy": claim.policy,
        "insured": claim.policy.insured,
        "buyer": claim.buyer,
        "cause": CAUSE_TEXTS[claim.cause],
        "lines": lines,
        "covered_count": sum(1 for row in lines if row["line"].covered),
        "capped": worksheet.indemnity < worksheet.indemnity_before_cap,
        "approvals": approvals(worksheet),
    }


def filename(document) -> str:
    return f"{TITLE}-{document.reference}.pdf"


def register() -> None:
    registry.register(
        DocumentKind.CLAIM_WORKSHEET,
        template="documents/claim_worksheet.html",
        context=context,
        title=TITLE,
        filename=filename,
        parties=parties,
    )
