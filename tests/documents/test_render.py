"""A real PDF from a Chinese template, read back with poppler (SPEC 9): the text with its
amounts in capitals, the embedded subset of Noto Sans CJK SC (its GB 2312 cut), the stored
hash and pages."""

import hashlib
import re
import subprocess

import pytest

from documents.models import Document
from documents.services import document_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(sample_kind, live_policy, personas, django_capture_on_commit_callbacks, tmp_path):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(
            kind=sample_kind, subject=live_policy, actor=personas["underwriter"]
        )
    document = Document.objects.get(pk=document.pk)
    path = tmp_path / "document.pdf"
    path.write_bytes(bytes(document.content))
    return document, path


def _run(*command) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_the_pdf_reads_back_in_chinese_with_its_amounts_in_capitals(issued, live_policy):
    document, path = issued
    text = _run("pdftotext", "-layout", str(path), "-")
    assert "测试通知书" in text
    assert "测试保险公司" in text  # the insurer, in the header
    assert live_policy.insured.name in text
    assert live_policy.policy_number in text
    for capitals in ("人民币壹佰万元整", "人民币捌拾伍万元伍角", "人民币叁仟元零壹分", "人民币伍分",
                     "人民币壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"):  # fmt: skip
        assert capitals in text
    assert "1,000,000.00" in text and "12,345,678.90" in text
    # The footer; pdftotext drops the spaces between Chinese characters.
    footer = re.sub(r"\s", "", text.strip().splitlines()[-1])
    assert footer == f"编号{document.reference}第1版第1页/共1页"


def test_only_a_subset_of_the_gb_2312_cut_of_noto_sans_cjk_is_embedded(issued):
    _document, path = issued
    rows = _run("pdffonts", str(path)).splitlines()[2:]
    assert rows, "no fonts"
    for row in rows:
        # name, type (several words), encoding, emb, sub, uni, object id, generation
        parts = row.split()
        name, emb, sub = parts[0], parts[-5], parts[-4]
        assert re.fullmatch(r"[A-Z]{6}\+Noto-Sans-CJK-SC-GB(-Bold)?", name), row
        assert (emb, sub) == ("yes", "yes"), row


def test_the_stored_hash_size_and_pages_are_those_of_the_file(issued):
    document, path = issued
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert (
        document.page_count
        == 1
        == int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1))
    )


def test_the_document_is_issued_with_its_reference_and_file_name(issued):
    document, _path = issued
    assert document.status == "issued"
    assert re.fullmatch(r"LN-2026-\d{6}", document.reference)
    assert document.filename == f"测试通知书-{document.reference}.pdf"
    assert document.issued_at is not None
    assert list(document.changes.values_list("action", flat=True)) == [
        "request", "render", "issue",
    ]  # fmt: skip
