"""Which moves of other apps make a document (SPEC 5-9), registered in `ready()`.

Each runs inside the transaction of the move that caused it and only records the
request: the PDF is made by a worker after the commit (documents.services).
"""

from core import reactions
from documents.choices import DocumentKind
from documents.services import document_refresh, document_request

JOB_AUTOMATIC_DECISION = "automatic-limit-decision"

# The new version's reason, printed on it (documents/pdf_base.html): Chinese, as the
# document is.
REASON_AGREEMENT_EDITED = "协议草案已修改，以本版为准"
REASON_AGREEMENT_AMENDED = (
    "经丙方书面同意（同意书编号 {reference}，{given_on}）变更协议，以本版为准"
)


def loss_notice_on_filing(*, change) -> None:
    """SPEC 7: filing an overdue notice generates its PDF."""
    document_request(
        kind=DocumentKind.LOSS_NOTICE, subject=change.instance, actor=change.actor,
        job=change.job,
    )  # fmt: skip


def claim_worksheet_on_approval(*, change) -> None:
    """SPEC 7: the approved worksheet shows every step of the arithmetic in PDF."""
    document_request(
        kind=DocumentKind.CLAIM_WORKSHEET, subject=change.instance, actor=change.actor,
        job=change.job,
    )  # fmt: skip


def agreement_on_preparation(*, change) -> None:
    """SPEC 8: "A PDF is generated for signature" when the insurer prepares the agreement."""
    document_request(
        kind=DocumentKind.ASSIGNMENT_AGREEMENT, subject=change.instance, actor=change.actor,
        job=change.job,
    )  # fmt: skip


def agreement_on_edit(*, change) -> None:
    """An edited draft is signed as it now reads: the next version (an issued one never
    changes, SPEC 9)."""
    document_refresh(
        kind=DocumentKind.ASSIGNMENT_AGREEMENT, subject=change.instance, actor=change.actor,
        job=change.job, reason=REASON_AGREEMENT_EDITED,
    )  # fmt: skip


def agreement_on_amendment(*, change) -> None:
    """SPEC 8: an amendment in force, with the bank's written consent, is a new version
    naming that consent."""
    consent = change.record.consent
    document_refresh(
        kind=DocumentKind.ASSIGNMENT_AGREEMENT, subject=change.instance, actor=change.actor,
        job=change.job,
        reason=REASON_AGREEMENT_AMENDED.format(
            reference=consent.reference, given_on=consent.given_on.isoformat()
        ),
    )  # fmt: skip


def policy_schedule_on_issue(*, change) -> None:
    """SPEC 3.2, 9: a policy year put in force, the first or a renewal, has its schedule."""
    document_request(
        kind=DocumentKind.POLICY_SCHEDULE, subject=change.instance, actor=change.actor,
        job=change.job,
    )  # fmt: skip


def limit_letter_on_decision(*, decision) -> None:
    """SPEC 5, 9: every limit decision, automatic ones included, has its letter."""
    document_request(
        kind=DocumentKind.LIMIT_LETTER, subject=decision, actor=decision.decided_by,
        job=JOB_AUTOMATIC_DECISION if decision.automatic else "",
    )  # fmt: skip


def debit_note_on_issue(*, change) -> None:
    """SPEC 6, 9: every debit or credit note issued has its PDF."""
    document_request(
        kind=DocumentKind.DEBIT_NOTE, subject=change.instance, actor=change.actor,
        job=change.job,
    )  # fmt: skip


def register() -> None:
    reactions.react("claims.overdue_notice.file", loss_notice_on_filing)
    reactions.react("claims.worksheet.approve", claim_worksheet_on_approval)
    reactions.react("banks.agreement.prepare", agreement_on_preparation)
    reactions.react("banks.agreement.edit", agreement_on_edit)
    reactions.react("banks.agreement.amend", agreement_on_amendment)
    reactions.react("policies.policy.issue", policy_schedule_on_issue)
    reactions.react("limits.decision.recorded", limit_letter_on_decision)
    reactions.react("premiums.debit_note.issue", debit_note_on_issue)
