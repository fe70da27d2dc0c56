"""A test-only renderer: a small Chinese document about a policy, with amounts in figures
and in capitals, rendered by the real engine (documents.pdf) under a real kind's name.
Swapped in for the kind's own renderer while a test runs, and swapped back after."""

import copy
import hashlib
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from documents import registry
from documents.choices import DocumentKind
from documents.models import Document
from documents.registry import subject_parties

SAMPLE_KIND = DocumentKind.LOSS_NOTICE
TEMPLATES_DIR = Path(__file__).parent / "templates"
AMOUNTS = [Decimal("1000000.00"), Decimal("850000.50"), Decimal("3000.01"), Decimal("0.05"),
           Decimal("12345678.90")]  # fmt: skip


def sample_context(policy) -> dict:
    return {
        "policy": policy,
        "insured": policy.insured,
        "rows": [{"number": f"FP{n:04d}", "amount": amount} for n, amount in enumerate(AMOUNTS)],
        "total": sum(AMOUNTS),
    }


def _templates_with_tests_dir():
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES_DIR]
    return templates


@contextmanager
def sample_renderer(context=sample_context, kind=SAMPLE_KIND):
    """Documents of `kind` are the sample, about a policy, while the block runs."""
    saved = registry._renderers.pop(kind, None)
    registry.register(
        kind,
        template="documents_tests/sample.html",
        context=context,
        title="测试通知书",
        filename=lambda document: f"测试通知书-{document.reference}.pdf",
    )
    try:
        with override_settings(TEMPLATES=_templates_with_tests_dir()):
            yield kind
    finally:
        registry._renderers.pop(kind, None)
        if saved is not None:
            registry._renderers[kind] = saved


# A one-page PDF, for tests that hand out a stored file without rendering one.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def make_issued_document(subject, *, kind=SAMPLE_KIND, reference="LN-2026-900001"):
    """An issued document about `subject` as the engine leaves one, written directly (a
    fixture, not a path of the application: there every status goes through the table)."""
    policy_id, buyer_id = subject_parties(subject)
    return Document.objects.create(
        kind=kind, subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        policy_id=policy_id, buyer_id=buyer_id, version=1, reference=reference,
        status="issued", filename=f"测试通知书-{reference}.pdf", content=TINY_PDF,
        sha256=hashlib.sha256(TINY_PDF).hexdigest(), size=len(TINY_PDF), page_count=1,
        issued_at=timezone.now(),
    )  # fmt: skip
