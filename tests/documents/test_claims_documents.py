"""The loss notice and the claim worksheet (SPEC 7, 9): made when the notice is filed and
when the worksheet is approved, read back from the PDF with poppler.

The claims rows are written here through the transition mechanism, as the claims
services do; the worksheet's figures come from claims.rules with SPEC 7's example
(unpaid 2,500,000, limit 1,000,000, recovered 1,000,000: net 1,500,000, indemnity 900,000).
"""

import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from claims import rules
from claims.choices import (
    CLAIM_MACHINE,
    NOTICE_MACHINE,
    WORKSHEET_MACHINE,
    ClaimCause,
    Exclusion,
)
from claims.models import (
    Claim,
    ClaimDecision,
    NoticeInvoice,
    OverdueNotice,
    Worksheet,
    WorksheetLine,
)
from core.transitions import create, transition
from documents.choices import DocumentKind
from documents.models import Document
from documents.renderers.claim_worksheet import CAUSE_TEXTS, EXCLUSION_TEXTS
from documents.services import document_request
from tests.conftest import api_as
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _text(document, tmp_path) -> str:
    path = tmp_path / f"{document.kind}.pdf"
    path.write_bytes(bytes(document.content))
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _fonts(document, tmp_path) -> list[str]:
    path = tmp_path / f"{document.kind}-fonts.pdf"
    path.write_bytes(bytes(document.content))
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    return out.stdout.splitlines()[2:]


def _compact(text: str) -> str:
    """pdftotext puts spaces and line breaks of the layout between Chinese characters."""
    return re.sub(r"\s", "", text)


def _document(kind, subject) -> Document:
    return Document.objects.get(
        kind=kind, subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )


@pytest.fixture
def notice(personas, insured_a):
    policy = PolicyFactory(insured=insured_a, status="in_force")
    buyer = BuyerFactory(name="深圳市前海拖欠电子有限公司", address="深圳市南山区科技园路1号")
    notice = create(
        NOTICE_MACHINE,
        OverdueNotice(
            reference="ON-2026-000123", policy=policy, buyer=buyer,
            deadline_on=date(2026, 9, 10), prepared_by=personas["insured_a_clerk"],
        ),
        "prepare",
        actor=personas["insured_a_clerk"],
    )  # fmt: skip
    for number, shipped, amount, extended in [
        ("44031234", date(2026, 5, 6), Decimal("1000000.00"), None),
        ("44031235", date(2026, 5, 20), Decimal("850000.50"), date(2026, 8, 31)),
    ]:
        NoticeInvoice.objects.create(
            notice=notice, number=number, invoice_date=shipped, shipment_date=shipped,
            amount=amount, original_due_date=date(2026, 7, 31), extended_due_date=extended,
        )  # fmt: skip
    return notice


def _file(notice, user):
    return transition(
        NOTICE_MACHINE, notice, "file", actor=user,
        changes={"filed_on": date(2026, 9, 15), "filed_by": user, "days_late": 5},
    )  # fmt: skip


def test_filing_a_notice_issues_its_loss_notice(
    notice, personas, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        _file(notice, personas["insured_a"])
    document = _document(DocumentKind.LOSS_NOTICE, notice)
    assert (document.status, document.policy_id, document.buyer_id) == (
        "issued", notice.policy_id, notice.buyer_id,
    )  # fmt: skip
    assert document.requested_by == personas["insured_a"]
    assert document.filename == f"可能损失通知书-{document.reference}.pdf"
    text = _compact(_text(document, tmp_path))
    for expected in [
        "可能损失通知书", "测试保险公司", notice.policy.insured.name, notice.policy.insured.uscc,
        notice.policy.policy_number, "深圳市前海拖欠电子有限公司", notice.buyer.uscc,
        "深圳市南山区科技园路1号", "ON-2026-000123", "2026-09-15", "2026-09-10", "逾期5天提交",
        "44031234", "44031235", "2026-05-20", "2026-07-31", "2026-08-31", "1,000,000.00",
        "850,000.50", "1,850,000.50", "人民币壹佰捌拾伍万元伍角", "被保险人声明",
        f"填报人：{personas['insured_a_clerk']}", f"提交人：{personas['insured_a']}",
    ]:  # fmt: skip
        assert expected in text, expected
    fonts = _fonts(document, tmp_path)
    assert fonts and all("+Noto-Sans-CJK-SC-GB" in row and " yes yes " in row for row in fonts)


def test_a_notice_of_twenty_invoices_fits_on_one_page(
    notice, personas, django_capture_on_commit_callbacks, tmp_path
):
    """ENVIRONMENT.md's measured case: a one-page notice with a 20-row invoice table."""
    for n in range(18):
        NoticeInvoice.objects.create(
            notice=notice, number=f"4403{n:04d}", invoice_date=date(2026, 6, 1),
            shipment_date=date(2026, 6, 1), amount=Decimal("12345.67"),
            original_due_date=date(2026, 8, 30),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        _file(notice, personas["insured_a"])
    document = _document(DocumentKind.LOSS_NOTICE, notice)
    assert "44030017" in _text(document, tmp_path)
    assert document.page_count == 1


def test_a_notice_filed_on_time_says_so(notice, personas, django_capture_on_commit_callbacks,
                                        tmp_path):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        transition(
            NOTICE_MACHINE, notice, "file", actor=personas["insured_a"],
            changes={"filed_on": date(2026, 9, 1), "filed_by": personas["insured_a"]},
        )  # fmt: skip
    text = _compact(_text(_document(DocumentKind.LOSS_NOTICE, notice), tmp_path))
    assert "按期提交" in text and "天提交" not in text


def test_the_loss_notice_is_the_insureds_and_the_staffs(
    notice, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _file(notice, personas["insured_a"])
    document = _document(DocumentKind.LOSS_NOTICE, notice)
    url = f"/api/v1/documents/{document.pk}/download/"
    assert api_as(personas["insured_a"]).get(url).status_code == 200
    assert api_as(personas["claims_handler"]).get(url).status_code == 200
    assert api_as(personas["insured_b"]).get(url).status_code == 404


# --- the claim worksheet ------------------------------------------------------------------------


def _facts(invoice, limit):
    return rules.InvoiceFacts(
        key=invoice.pk, number=invoice.number, amount=invoice.amount,
        invoice_date=invoice.invoice_date, shipment_date=invoice.shipment_date,
        original_due_date=invoice.original_due_date, limit_on_shipment=limit,
    )  # fmt: skip


@pytest.fixture
def approved_worksheet(approve_worksheet):
    return approve_worksheet(decision=True)


@pytest.fixture
def approve_worksheet(personas, insured_a, django_capture_on_commit_callbacks):
    """SPEC 7's example, with one invoice shipped after the notice (out of cover);
    approved with a claim decision, or (decision=False) by the worksheet's move alone."""
    return lambda decision: _approved_worksheet(
        personas, insured_a, django_capture_on_commit_callbacks, decision=decision
    )


def _approved_worksheet(personas, insured_a, capture, *, decision):
    user = personas["claims_handler"]
    policy = PolicyFactory(insured=insured_a, status="in_force")
    buyer = BuyerFactory(name="东莞市长期拖欠五金有限公司")
    notice = create(
        NOTICE_MACHINE,
        OverdueNotice(reference="ON-2026-000200", policy=policy, buyer=buyer,
                      prepared_by=personas["insured_a"]),
        "prepare",
    )  # fmt: skip
    invoices = [
        NoticeInvoice.objects.create(
            notice=notice,
            number=f"FP{n}",
            invoice_date=shipped,
            shipment_date=shipped,
            amount=Decimal(amount),
            original_due_date=shipped + timedelta(days=90),
        )  # fmt: skip
        for n, (shipped, amount) in enumerate(
            [
                (date(2026, 5, 1), "1000000"),
                (date(2026, 5, 15), "1000000"),
                (date(2026, 6, 1), "500000"),
                (date(2026, 9, 20), "200000"),
            ]
        )  # fmt: skip
    ]
    transition(NOTICE_MACHINE, notice, "file",
               changes={"filed_on": date(2026, 9, 15), "filed_by": personas["insured_a"]})  # fmt: skip
    claim = create(
        CLAIM_MACHINE,
        Claim(reference="CL-2026-000077", notice=notice, policy=policy, buyer=buyer,
              cause=ClaimCause.PROTRACTED_DEFAULT, opened_on=date(2026, 9, 16), opened_by=user),
        "open",
    )  # fmt: skip
    terms = rules.CoverTerms(
        notice_filed_on=date(2026, 9, 15), invoice_deadline_days=30, max_credit_period_days=180
    )
    lines = rules.cover_lines([_facts(i, Decimal("1000000")) for i in invoices], terms)
    result = rules.indemnity(
        lines=lines, recoveries=Decimal("1000000"), other_credits=Decimal("0"),
        franchise=Decimal("3000"), indemnity_percentage=Decimal("90"),
        remaining_liability=Decimal("5000000"),
    )  # fmt: skip
    worksheet = create(
        WORKSHEET_MACHINE,
        Worksheet(
            claim=claim, version=1, outstanding=result.outstanding,
            covered_debt=result.covered_debt, recoveries=result.recoveries,
            other_credits=result.other_credits, net_loss=result.net_loss,
            franchise=result.franchise, below_franchise=result.below_franchise,
            limit_amount=result.limit_amount, loss_within_limit=result.loss_within_limit,
            indemnity_percentage=result.indemnity_percentage,
            indemnity_before_cap=result.indemnity_before_cap,
            remaining_liability=result.remaining_liability, indemnity=result.indemnity,
            computed_by=user,
        ),
        "compute",
        actor=user,
    )  # fmt: skip
    by_number = {invoice.number: invoice for invoice in invoices}
    for line in result.lines:
        WorksheetLine.objects.create(
            worksheet=worksheet, invoice=by_number[line.facts.number], number=line.facts.number,
            shipment_date=line.facts.shipment_date, amount=line.facts.amount,
            limit_on_shipment=line.facts.limit_on_shipment, covered=line.covered,
            exclusion=line.exclusion,
        )  # fmt: skip
    approver = personas["claims_manager"]
    if decision:
        ClaimDecision.objects.create(
            claim=claim, worksheet=worksheet, action="approve", indemnity=result.indemnity,
            decided_by=approver,
        )  # fmt: skip
    with capture(execute=True):
        transition(WORKSHEET_MACHINE, worksheet, "approve", actor=approver)
    return worksheet


def test_approving_a_worksheet_issues_the_claim_worksheet_with_every_step(
    approved_worksheet, personas, tmp_path
):
    document = _document(DocumentKind.CLAIM_WORKSHEET, approved_worksheet)
    claim = approved_worksheet.claim
    assert (document.status, document.policy_id, document.buyer_id) == (
        "issued", claim.policy_id, claim.buyer_id,
    )  # fmt: skip
    assert document.filename == f"赔款计算书-{document.reference}.pdf"
    assert re.fullmatch(r"CW-2026-\d{6}", document.reference)
    text = _compact(_text(document, tmp_path))
    for expected in [
        "赔款计算书", "计算书第1版", "CL-2026-000077", "ON-2026-000200", "东莞市长期拖欠五金有限公司",
        "买方拖欠（长期拖欠）", "FP3", "2026-09-20", "不计入", "在提交可能损失通知书之后出运",
        "1,000,000.00",  # the limit on each shipment date
        "2,700,000.00",  # unpaid
        "2,500,000.00",  # covered debt
        "1,500,000.00",  # net loss
        "净损失超过免赔额，不作扣除", "3,000.00", "×赔付比例90%", "900,000.00",
        "5,000,000.00", "未超过，不作调整", "人民币玖拾万元整",
        f"审批人{personas['claims_manager']}", f"计算人{personas['claims_handler']}",
    ]:  # fmt: skip
        assert expected in text, expected
    assert approved_worksheet.indemnity == Decimal("900000.00")
    fonts = _fonts(document, tmp_path)
    assert fonts and all("+Noto-Sans-CJK-SC-GB" in row and " yes yes " in row for row in fonts)


def test_without_a_claim_decision_the_worksheets_approval_names_the_approver(
    approve_worksheet, personas, tmp_path
):
    worksheet = approve_worksheet(decision=False)
    text = _compact(_text(_document(DocumentKind.CLAIM_WORKSHEET, worksheet), tmp_path))
    assert f"审批人{personas['claims_manager']}" in text


def test_the_claim_worksheet_is_seen_as_its_claim_is(approved_worksheet, personas):
    document = _document(DocumentKind.CLAIM_WORKSHEET, approved_worksheet)
    url = f"/documents/{document.pk}/download/"

    def status(user):
        client = Client()
        client.force_login(user)
        return client.get(url).status_code

    assert (status(personas["insured_a"]), status(personas["insured_b"])) == (200, 404)


def test_every_exclusion_and_cause_has_its_chinese_text():
    assert set(EXCLUSION_TEXTS) == set(Exclusion.values)
    assert set(CAUSE_TEXTS) == set(ClaimCause.values)


def test_the_claim_page_lists_its_notices_loss_notice_and_its_worksheets_pdf(
    approved_worksheet, personas, django_capture_on_commit_callbacks
):
    claim = approved_worksheet.claim
    with django_capture_on_commit_callbacks(execute=True):
        loss_notice = document_request(kind=DocumentKind.LOSS_NOTICE, subject=claim.notice)
    worksheet_pdf = _document(DocumentKind.CLAIM_WORKSHEET, approved_worksheet)
    for user in (personas["insured_a"], personas["claims_handler"]):
        client = Client()
        client.force_login(user)
        html = client.get(f"/claims/{claim.pk}/").content.decode()
        for document in (loss_notice, worksheet_pdf):
            # Its download once issued, its progress while it is being made.
            assert f"/documents/{document.pk}/" in html, (user, document.kind)
