"""Which moves of other apps make a document (SPEC 7, 9), registered in `ready()`.

Each runs inside the transaction of the move that caused it and only records the
request: the PDF is made by a worker after the commit (documents.services).
"""

from core import reactions
from documents.choices import DocumentKind
from documents.services import document_request


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


def register() -> None:
    reactions.react("claims.overdue_notice.file", loss_notice_on_filing)
    reactions.react("claims.worksheet.approve", claim_worksheet_on_approval)
