"""可能损失通知书, the overdue-account notice as filed (SPEC 7, 9).

Requested when the notice is filed (documents.reactions): the insurer, the insured, the
policy, the buyer, the filing date against the notice deadline, every unpaid invoice,
the total in figures and in capitals, and the insured's declaration with who prepared
and who filed it.
"""

from claims.models import OverdueNotice
from core.money import ZERO
from documents import registry
from documents.choices import DocumentKind

TITLE = "可能损失通知书"


def context(notice: OverdueNotice) -> dict:
    notice = (
        OverdueNotice.objects.select_related(
            "policy", "policy__insured", "buyer", "prepared_by", "filed_by"
        )
        .prefetch_related("invoices")
        .get(pk=notice.pk)
    )
    invoices = list(notice.invoices.all())
    return {
        "notice": notice,
        "policy": notice.policy,
        "insured": notice.policy.insured,
        "buyer": notice.buyer,
        "invoices": invoices,
        "total": sum((invoice.amount for invoice in invoices), ZERO),
    }


def filename(document) -> str:
    return f"{TITLE}-{document.reference}.pdf"


def register() -> None:
    registry.register(
        DocumentKind.LOSS_NOTICE,
        template="documents/loss_notice.html",
        context=context,
        title=TITLE,
        filename=filename,
    )
