"""保费缴款通知书, the debit note (SPEC 6, 9); a credit note is 保费退还通知书.

Requested when a note is issued (documents.reactions, on `premiums.debit_note.issue`):
the insured, the policy, the note's number, kind, issue and due dates, its lines and
its total in figures and in capitals. Notes are issued once and never edited (a
correction is a new note), so the document is too.
"""

from core.templatetags.ui import money
from core.texts import render_text
from documents import registry
from documents.choices import DocumentKind
from premiums.choices import DebitNoteKind
from premiums.models import DebitNote

TITLE = "保费缴款通知书"
CREDIT_TITLE = "保费退还通知书"

KIND_TEXTS = {
    DebitNoteKind.INSTALMENT: "最低保险费分期",
    DebitNoteKind.ADJUSTMENT: "年终保险费调整",
    DebitNoteKind.ADJUSTMENT_CORRECTION: "保险费调整更正",
    DebitNoteKind.LIMIT_FEE: "信用额度管理费",
    DebitNoteKind.CREDIT_NOTE: "保险费退还",
    DebitNoteKind.RECOVERY_SHARE: "追偿款分摊",
}

# The lines' texts (premiums.texts, stored as codes) as the document prints them; the
# parameters named in LINE_MONEY are amounts. tests/documents check every line code.
LINE_TEXTS = {
    "premiums.line.instalment": "最低保险费第 {sequence}/{count} 期（最低保险费 {minimum} 元）",
    "premiums.line.premium": "按申报的被保险营业额 {turnover} 元、费率 {rate}% 计算的保险费",
    "premiums.line.less_minimum": "减：最低保险费",
    "premiums.line.less_invoiced": "减：此前已开具的保险费调整（第 {version} 版）",
    "premiums.line.recovery_share": (
        "赔案 {claim}：{received_on} 收回追偿款 {amount} 元，保险人按赔付比例 {percentage}% 应得部分"
    ),
    "premiums.line.limit_fee": "信用额度管理费：{buyer}（{uscc}）",
}
LINE_MONEY = frozenset({"minimum", "turnover", "amount"})


def line_text(code: str, params: dict) -> str:
    """A line in the document's Chinese; a code without a text here as the catalogue has it."""
    text = LINE_TEXTS.get(code)
    if text is None:
        return render_text(code, params)
    values = {
        name: money(value) if name in LINE_MONEY and value not in (None, "") else value
        for name, value in params.items()
    }
    return text.format(**values)


def title_of(note: DebitNote) -> str:
    return CREDIT_TITLE if note.kind == DebitNoteKind.CREDIT_NOTE else TITLE


def context(note: DebitNote) -> dict:
    note = DebitNote.objects.select_related("policy", "policy__insured", "corrects").get(pk=note.pk)
    lines = [
        {"text": line_text(line.text_code, line.text_params), "amount": line.amount}
        for line in note.lines.order_by("position")
    ]
    return {
        "title": title_of(note),
        "note": note,
        "policy": note.policy,
        "insured": note.policy.insured,
        "kind_text": KIND_TEXTS[note.kind],
        "lines": lines,
        "credit": note.is_credit,
    }


def filename(document) -> str:
    return f"{title_of(document.subject)}-{document.reference}.pdf"


def register() -> None:
    registry.register(
        DocumentKind.DEBIT_NOTE,
        template="documents/debit_note.html",
        context=context,
        title=TITLE,
        filename=filename,
    )
