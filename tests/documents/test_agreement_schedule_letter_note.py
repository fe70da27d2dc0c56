"""The assignment agreement, the policy schedule, the limit letter and the debit note
(SPEC 5, 6, 8, 9): each made by the move that calls for it, rendered by the real engine
and read back from the PDF with poppler (text, amounts in capitals, embedded Noto Sans
CJK, the stored hash); the agreement's versions on edit and amendment.

With DOCUMENTS_PDF_DIR set, every PDF read back is also written there, to be looked at.
"""

import hashlib
import os
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from banks import services as bank_services
from banks.models import AgreementStatusChange
from core.choices import Province
from documents.choices import DocumentKind
from documents.models import Document
from documents.renderers.common import PROVINCE_TEXTS
from documents.renderers.debit_note import LINE_TEXTS
from documents.renderers.limit_letter import REASON_TEXTS, REQUEST_TEXTS, RESPONSE_TEXTS
from limits import services as limit_services
from limits.choices import ReasonCode, RequestType, ResponseCode
from limits.models import LimitDecision
from policies.choices import PolicyStatus
from policies.services import policy_transition
from premiums.choices import DebitNoteKind
from tests.banks.conftest import TODAY, activate, consent, prepare
from tests.claims.conftest import grant_limit
from tests.conftest import api_as
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db

PDF_DIR = os.environ.get("DOCUMENTS_PDF_DIR", "")


def _pdf(document, tmp_path) -> Path:
    document = Document.objects.get(pk=document.pk)
    path = tmp_path / f"{document.kind}-v{document.version}.pdf"
    path.write_bytes(bytes(document.content))
    if PDF_DIR:
        Path(PDF_DIR).mkdir(parents=True, exist_ok=True)
        (Path(PDF_DIR) / path.name).write_bytes(bytes(document.content))
    return path


def _run(*command) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _compact(text: str) -> str:
    """pdftotext puts spaces and line breaks of the layout between Chinese characters."""
    return re.sub(r"\s", "", text)


def _read_back(document, tmp_path) -> str:
    """The PDF's text, compacted, after checking what every document promises: issued,
    its stored hash and size those of the file, only subsets of Noto Sans CJK embedded,
    its reference and version in the footer of every page."""
    path = _pdf(document, tmp_path)
    document.refresh_from_db()
    content = path.read_bytes()
    assert document.status == "issued" and content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1))
    assert document.page_count == pages
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts
    for row in fonts:
        parts = row.split()
        assert re.fullmatch(r"[A-Z]{6}\+Noto-Sans-CJK-SC-GB(-Bold)?", parts[0]), row
        assert (parts[-5], parts[-4]) == ("yes", "yes"), row
    text = _run("pdftotext", "-layout", str(path), "-")
    assert "\ufffd" not in text  # no glyph missing from the font
    compact = _compact(text)
    assert compact.count(f"编号{document.reference}第{document.version}版") == pages
    return compact


def _documents(kind, subject) -> list[Document]:
    return list(
        Document.objects.filter(
            kind=kind, subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
        ).order_by("version")
    )  # fmt: skip


def _status(user, url) -> int:
    client = Client()
    client.force_login(user)
    return client.get(url).status_code


# --- the assignment agreement ---------------------------------------------------------------


@pytest.fixture
def parties(personas, insured_a, bank_org):
    """The insured with its address, the bank with its USCC, a policy with two buyers."""
    insured_a.address = "江苏省苏州市工业园区星湖街328号"
    insured_a.save(update_fields=["address"])
    bank_org.name = "中国工商银行股份有限公司苏州分行"
    bank_org.save(update_fields=["name"])
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    BuyerCapacityFactory(risk_grade=4, max_exposure=Decimal("50000000"))
    first = BuyerFactory(name="无锡市甲买方精密制造有限公司", risk_grade=4)
    second = BuyerFactory(name="南京市乙买方电子科技有限公司", risk_grade=4)
    grant_limit(personas, policy, first, "1200000")
    grant_limit(personas, policy, second, "500000")
    return policy, bank_org, (first, second)


def _prepared(personas, parties, capture, **fields):
    policy, bank, buyers = parties
    with capture(execute=True):
        agreement = prepare(personas, policy, bank, buyers=buyers, **fields)
    return agreement


def test_preparing_an_agreement_issues_it_for_signature(
    personas, parties, django_capture_on_commit_callbacks, tmp_path
):
    policy, bank, (first, second) = parties
    agreement = _prepared(personas, parties, django_capture_on_commit_callbacks)
    [document] = _documents(DocumentKind.ASSIGNMENT_AGREEMENT, agreement)
    assert (document.policy_id, document.buyer_id) == (policy.pk, None)
    assert re.fullmatch(r"AG-2026-\d{6}", document.reference)
    assert document.filename == f"赔款转让协议-{document.reference}.pdf"
    assert document.requested_by == personas["underwriter"]
    text = _read_back(document, tmp_path)
    assert document.page_count == 1  # the clauses and the signatures on one sheet
    insured = policy.insured
    for expected in [
        "赔款转让协议", agreement.reference,
        f"甲方（被保险人）{insured.name}统一社会信用代码{insured.uscc}",
        "甲方注册地址江苏省苏州市工业园区星湖街328号", "乙方（保险人）测试保险公司",
        f"丙方（融资银行）{bank.name}统一社会信用代码{bank.uscc}",
        policy.policy_number, "2026-01-01至2026-12-31", "本协议所列买方",
        first.name, first.uscc, "1,200,000.00", second.name, second.uscc, "500,000.00",
        "1,700,000.00", "人民币壹佰柒拾万元整",
        "开户行中国工商银行苏州分行", "户名苏州精工机械有限公司", "账号622202120000 1234".replace(" ", ""),
        # SPEC 8's clauses.
        "不可撤销地转让给丙方", "索赔权仍由甲方享有并行使", "即视为乙方已履行保险单项下相应的赔款支付义务",
        "本协议的任何变更或终止，须经丙方书面同意", "甲方不得解除保险单或申请退保",
        "甲方（盖章）", "乙方（盖章）", "丙方（盖章）", "日期：年月日",
    ]:  # fmt: skip
        assert expected in text, expected


def test_a_regional_scope_names_its_province(personas, parties, tmp_path,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    policy, bank, _buyers = parties
    with django_capture_on_commit_callbacks(execute=True):
        agreement = prepare(personas, policy, bank, scope="region", region="44")
    text = _read_back(_documents(DocumentKind.ASSIGNMENT_AGREEMENT, agreement)[0], tmp_path)
    assert "保险单项下注册地在广东省的全部买方" in text
    assert "不可撤销地转让给丙方" in text


def test_editing_the_draft_issues_a_new_version_and_keeps_the_first_as_issued(
    personas, parties, django_capture_on_commit_callbacks, tmp_path
):
    agreement = _prepared(personas, parties, django_capture_on_commit_callbacks)
    [first] = _documents(DocumentKind.ASSIGNMENT_AGREEMENT, agreement)
    first_bytes, first_hash = bytes(first.content), first.sha256
    with django_capture_on_commit_callbacks(execute=True):
        bank_services.agreement_update(
            actor=personas["underwriter"], agreement_id=agreement.pk,
            account_number="6222 0212 0000 9999", today=TODAY,
        )  # fmt: skip
    old, new = _documents(DocumentKind.ASSIGNMENT_AGREEMENT, agreement)
    assert (old.version, new.version) == (1, 2)
    assert new.reference == f"{old.reference}-V2"
    assert (bytes(old.content), old.sha256, old.status) == (first_bytes, first_hash, "issued")
    assert old.superseded_by_id == new.pk
    text = _read_back(new, tmp_path)
    assert "账号622202120000 9999".replace(" ", "") in text
    assert "第2版（更正版）" in text and "更正原因：协议草案已修改" in text
    assert "1234" not in text.split("账号")[1][:20]


def test_an_edit_before_the_first_version_is_rendered_changes_no_version(personas, parties):
    policy, bank, buyers = parties
    agreement = prepare(personas, policy, bank, buyers=buyers)  # queued: no commit here
    bank_services.agreement_update(
        actor=personas["underwriter"], agreement_id=agreement.pk, account_name="新户名",
        today=TODAY,
    )  # fmt: skip
    [document] = _documents(DocumentKind.ASSIGNMENT_AGREEMENT, agreement)
    assert (document.version, document.status) == (1, "queued")


def test_an_amendment_with_the_banks_consent_is_a_new_version_naming_it(
    personas, parties, django_capture_on_commit_callbacks, tmp_path
):
    agreement = _prepared(personas, parties, django_capture_on_commit_callbacks)
    activate(personas, agreement)
    with django_capture_on_commit_callbacks(execute=True):
        bank_services.agreement_amend(
            actor=personas["underwriter"], agreement_id=agreement.pk,
            consent=consent(reference="XY-2026-031"), ends_on=date(2027, 3, 31), today=TODAY,
        )  # fmt: skip
    versions = _documents(DocumentKind.ASSIGNMENT_AGREEMENT, agreement)
    assert [d.version for d in versions] == [1, 2]
    amended = versions[1]
    assert AgreementStatusChange.objects.filter(agreement=agreement, action="amend").exists()
    text = _read_back(amended, tmp_path)
    for expected in ["经丙方书面同意（同意书编号XY-2026-031，2026-06-01）变更协议",
                     "丙方书面同意记录", "XY-2026-031", "王行长", "变更协议", "至2027-03-31终止",
                     "生效日期2026-06-01"]:  # fmt: skip
        assert expected in text, expected
    # The bank reads its own agreement's versions; another insured reads nothing.
    for document in versions:
        assert _status(personas["bank"], document.download_url) == 200
        assert _status(personas["insured_b"], document.download_url) == 404


def test_every_province_has_its_chinese_name():
    assert set(PROVINCE_TEXTS) == set(Province.values)


# --- the policy schedule and the debit notes ------------------------------------------------------


@pytest.fixture
def issued_policy(personas, insured_a, django_capture_on_commit_callbacks):
    """SPEC 6's example: estimate 50,000,000 at 0.5% → minimum premium 200,000 in 4 × 50,000,
    maximum liability 50 × 200,000; put in force, its schedule and instalments rendered."""
    quoted = PolicyFactory(
        insured=insured_a, status=PolicyStatus.QUOTED, policy_number="TCI2026009001",
        max_discretionary_limit=Decimal("500000"),
    )  # fmt: skip
    with time_machine.travel(date(2026, 1, 1)), django_capture_on_commit_callbacks(execute=True):
        policy_transition(actor=personas["underwriter"], policy_id=quoted.pk, action_name="issue")
    quoted.refresh_from_db()
    return quoted


def test_putting_a_policy_in_force_issues_its_schedule_with_every_parameter(
    issued_policy, personas, tmp_path
):
    [document] = _documents(DocumentKind.POLICY_SCHEDULE, issued_policy)
    assert (document.policy_id, document.buyer_id) == (issued_policy.pk, None)
    assert document.filename == f"保单明细表-{document.reference}.pdf"
    assert re.fullmatch(r"PS-2026-\d{6}", document.reference)
    text = _read_back(document, tmp_path)
    insured = issued_policy.insured
    for expected in [
        "保单明细表", insured.name, insured.uscc, "TCI2026009001", "第1保单年度",
        "2026-01-01至2026-12-31", "全额投保", "50,000,000.00",
        "赔付比例90%", "最长信用期限120天", "出运后30天内开具发票", "原到期日后60天",
        "原到期日后60天内；如已延期，延展到期日后10天内", "首次未获保障的出运后15天内",
        "人民币500,000.00元（人民币伍拾万元整）", "人民币3,000.00元（人民币叁仟元整）",
        "收到完整的可能损失通知书后5个月", "确认债权后30天内", "索赔单证齐全后30天内",
        "达成赔付协议后10天内", "收到索赔后60天内", "最长延长期限届满后6个月内",
        "每个保单季度结束后15天内", "保险费率0.5%",
        "最低保险费200,000.00人民币贰拾万元整",
        "最高赔偿限额（每保单年度）10,000,000.00人民币壹仟万元整",
        "信用额度管理费828.00", "前10个买方免收", "最低保险费分4期缴付",
        "12026-01-0150,000.00人民币伍万元整", "42026-10-0150,000.00人民币伍万元整",
    ]:  # fmt: skip
        assert expected in text, expected
    assert document.page_count == 1
    # A bank with no agreement on the policy does not read it; the insured does.
    assert _status(personas["insured_a"], document.download_url) == 200
    assert _status(personas["bank"], document.download_url) == 404


def test_a_renewal_put_in_force_has_its_own_schedule(issued_policy, personas):
    from policies.services import policy_renew

    renewal = policy_renew(actor=personas["underwriter"], policy_id=issued_policy.pk)
    assert _documents(DocumentKind.POLICY_SCHEDULE, renewal) == []  # a quote has none
    policy_transition(actor=personas["underwriter"], policy_id=issued_policy.pk,
                      action_name="expire")  # fmt: skip
    policy_transition(actor=personas["underwriter"], policy_id=renewal.pk, action_name="issue")
    [document] = _documents(DocumentKind.POLICY_SCHEDULE, renewal)
    assert (document.policy_id, document.status) == (renewal.pk, "queued")


def test_each_instalment_has_its_debit_note_in_figures_and_capitals(
    issued_policy, personas, tmp_path
):
    notes = list(issued_policy.debit_notes.order_by("sequence"))
    assert len(notes) == 4
    documents = [_documents(DocumentKind.DEBIT_NOTE, note) for note in notes]
    assert all(len(found) == 1 and found[0].status == "issued" for found in documents)
    note, [document] = notes[1], documents[1]
    assert (document.policy_id, document.buyer_id) == (issued_policy.pk, None)
    assert document.filename == f"保费缴款通知书-{document.reference}.pdf"
    assert re.fullmatch(r"DB-2026-\d{6}", document.reference)
    text = _read_back(document, tmp_path)
    for expected in [
        "保费缴款通知书", f"致{issued_policy.insured.name}", "TCI2026009001", note.number,
        "最低保险费分期（第2期）", "开具日期2026-01-01", "缴费截止日2026-04-01",
        "最低保险费第2/4期（最低保险费200,000.00元）50,000.00",
        "应缴金额合计50,000.00", "合计金额（大写）人民币伍万元整",
        f"请于2026-04-01前足额缴付，汇款时请注明通知书号码{note.number}", "保险单中止",
    ]:  # fmt: skip
        assert expected in text, expected
    # SPEC 2: a bank never reads the premium account, even with an agreement in force.
    assert _status(personas["insured_a"], document.download_url) == 200
    assert _status(personas["insured_b"], document.download_url) == 404


def test_a_credit_note_is_titled_as_a_refund(personas, insured_a, tmp_path,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    from premiums import texts
    from premiums.services.notes import note_issue

    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    with django_capture_on_commit_callbacks(execute=True):
        note = note_issue(
            policy=policy, kind=DebitNoteKind.CREDIT_NOTE, today=date(2027, 2, 1),
            lines=[(texts.LINE_PREMIUM(turnover=Decimal("30000000"), rate="0.5"),
                    Decimal("150000"), None),
                   (texts.LINE_LESS_MINIMUM(), Decimal("-150000"), None),
                   (texts.LINE_LESS_INVOICED(version=1), Decimal("-12345.60"), None)],
            notify=False,
        )  # fmt: skip
    [document] = _documents(DocumentKind.DEBIT_NOTE, note)
    assert document.filename == f"保费退还通知书-{document.reference}.pdf"
    text = _read_back(document, tmp_path)
    for expected in ["保费退还通知书", "保险费退还", "按申报的被保险营业额30,000,000.00元、费率0.5%计算的保险费",
                     "减：最低保险费", "减：此前已开具的保险费调整（第1版）-12,345.60",
                     "应退还金额合计12,345.60", "人民币壹万贰仟叁佰肆拾伍元陆角"]:  # fmt: skip
        assert expected in text, expected
    assert "保费缴款通知书" not in text


def test_every_debit_note_line_has_its_chinese_text():
    from core.texts import _REGISTRY, _discover

    _discover()
    assert {code for code in _REGISTRY if code.startswith("premiums.line.")} == set(LINE_TEXTS)


def test_a_bank_never_reads_a_debit_note(issued_policy, personas, bank_org):
    from banks.models import AssignmentAgreement

    note = issued_policy.debit_notes.first()
    document = _documents(DocumentKind.DEBIT_NOTE, note)[0]
    # Even with an agreement in force on the policy (the bank then reads the schedule).
    agreement = prepare(personas, issued_policy, bank_org, scope="all")
    activate(personas, agreement)
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "active"
    schedule = _documents(DocumentKind.POLICY_SCHEDULE, issued_policy)[0]
    assert _status(personas["bank"], schedule.download_url) == 200
    assert _status(personas["bank"], document.download_url) == 404
    assert api_as(personas["bank"]).get(f"/api/v1/documents/{document.pk}/").status_code == 404


# --- the limit letter ----------------------------------------------------------------------------


@pytest.fixture
def limit_world(personas, insured_a, db):
    from limits.models import AutoDecisionGradeRule, AutoDecisionSettings

    BuyerCapacityFactory(risk_grade=4, max_exposure=Decimal("50000000"))
    AutoDecisionSettings.objects.create(enabled=True, capacity_headroom_percent=Decimal("20"))
    AutoDecisionGradeRule.objects.create(risk_grade=4, max_amount=Decimal("200000"))
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    buyer = BuyerFactory(name="杭州市丙买方纺织品有限公司", risk_grade=4)
    return policy, buyer


def _apply(personas, policy, buyer, amount, capture):
    with capture(execute=True):
        return limit_services.application_create(
            actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
            request_type=RequestType.NEW, requested_amount=Decimal(amount),
            payment_terms_days=90, submit=True, today=date(2026, 3, 2),
        )  # fmt: skip


def test_an_automatic_decision_has_its_letter(personas, limit_world, tmp_path,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    policy, buyer = limit_world
    application = _apply(personas, policy, buyer, "150000", django_capture_on_commit_callbacks)
    decision = LimitDecision.objects.get(application=application)
    assert decision.automatic
    [document] = _documents(DocumentKind.LIMIT_LETTER, decision)
    assert (document.policy_id, document.buyer_id) == (policy.pk, buyer.pk)
    assert document.requested_by is None
    assert list(document.changes.values_list("job", flat=True))[:1] == ["automatic-limit-decision"]
    assert document.filename == f"限额批复通知书-{document.reference}.pdf"
    text = _read_back(document, tmp_path)
    for expected in [
        "限额批复通知书", f"致{policy.insured.name}", policy.policy_number, buyer.name, buyer.uscc,
        "2·新申请限额", "150,000.00", "2·批准", "系统自动决定", "人民币壹拾伍万元整",
        "不超过90天", "生效日期2026-03-02", "7·无特别说明", f"LD-2026-{decision.pk:07d}",
    ]:  # fmt: skip
        assert expected in text, expected


def test_a_partial_approval_by_an_underwriter_has_its_letter(
    personas, limit_world, django_capture_on_commit_callbacks, tmp_path
):
    policy, buyer = limit_world
    application = _apply(personas, policy, buyer, "3000000", django_capture_on_commit_callbacks)
    assert not LimitDecision.objects.filter(application=application).exists()  # queued
    with django_capture_on_commit_callbacks(execute=True):
        limit_services.application_decide(
            actor=personas["senior_underwriter"], application_id=application.pk,
            outcome="partial", amount=Decimal("1250000.50"), payment_terms_days=60,
            reason_code=ReasonCode.LACK_OF_TURNOVER, conditions="买方须提供2025年度审计报告",
            today=date(2026, 3, 5),
        )  # fmt: skip
    decision = LimitDecision.objects.get(application=application)
    [document] = _documents(DocumentKind.LIMIT_LETTER, decision)
    assert document.requested_by == personas["senior_underwriter"]
    text = _read_back(document, tmp_path)
    for expected in [
        "3,000,000.00", "5·部分批准（低于申请金额）", "1,250,000.50", "人民币壹佰贰拾伍万元伍角",
        "不超过60天", "14·交易量不足", "附加条件买方须提供2025年度审计报告", "核保人员决定",
    ]:  # fmt: skip
        assert expected in text, expected


def test_every_decision_has_its_letter_and_a_covering_bank_reads_it(
    personas, parties, django_capture_on_commit_callbacks
):
    """Every decision recorded (a grant on each of two buyers) has a letter on its buyer:
    the bank reads those of the buyers its agreement covers, not the others'."""
    policy, bank, (first, second) = parties
    agreement = prepare(personas, policy, bank, buyers=[first])
    activate(personas, agreement)
    decisions = LimitDecision.objects.filter(policy=policy)
    assert decisions.count() == 2
    letters = {d.buyer_id: _documents(DocumentKind.LIMIT_LETTER, d) for d in decisions}
    assert all(len(found) == 1 for found in letters.values())
    covered, other = letters[first.pk][0], letters[second.pk][0]
    assert (covered.buyer_id, other.buyer_id) == (first.pk, second.pk)
    url = "/api/v1/documents/{}/"
    assert api_as(personas["bank"]).get(url.format(covered.pk)).status_code == 200
    assert api_as(personas["bank"]).get(url.format(other.pk)).status_code == 404


def test_every_receco_code_has_its_chinese_text():
    assert set(REQUEST_TEXTS) == set(RequestType.values)
    assert set(RESPONSE_TEXTS) == set(ResponseCode.values)
    assert set(REASON_TEXTS) == set(ReasonCode.values)


# --- each object's page lists its documents -----------------------------------------------------


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_policy_and_debit_note_pages_list_their_documents(personas, insured_a):
    quoted = PolicyFactory(insured=insured_a, status=PolicyStatus.QUOTED)
    policy_transition(actor=personas["underwriter"], policy_id=quoted.pk, action_name="issue")
    [schedule] = _documents(DocumentKind.POLICY_SCHEDULE, quoted)
    page = _page(personas["insured_a"], quoted.get_absolute_url())
    assert 'data-testid="documents-panel"' in page and schedule.reference in page
    note = quoted.debit_notes.order_by("sequence").first()
    [document] = _documents(DocumentKind.DEBIT_NOTE, note)
    page = _page(personas["insured_a"], note.get_absolute_url())
    assert 'data-testid="documents-panel"' in page and document.reference in page
    assert schedule.reference not in page


def test_each_decision_links_its_letter_on_the_limit_and_application_pages(personas, limit_world):
    policy, buyer = limit_world
    limit = grant_limit(personas, policy, buyer, "800000", on=date(2026, 3, 2))
    decision = limit.decisions.get()
    [letter] = _documents(DocumentKind.LIMIT_LETTER, decision)
    for user in (personas["insured_a"], personas["underwriter"]):
        for url in (f"/limits/{limit.pk}/", f"/limits/applications/{decision.application_id}/"):
            page = _page(user, url)
            link = re.search(r'<span class="document-link[^>]*data-document="(\d+)"', page)
            assert link and int(link.group(1)) == letter.pk, url
            assert 'data-kind="limit_letter"' in page and letter.get_absolute_url() in page
    assert _status(personas["insured_b"], letter.get_absolute_url()) == 404
