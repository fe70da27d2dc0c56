"""A worker killed with SIGKILL in the middle of a PDF (issue 11 item 6): every
document is issued once, within minutes, by a fresh worker.

The killed run leaves its document `rendering` and its message unacknowledged. Two ways
bring it back and both must be harmless together: the broker hands the message out again
after the visibility timeout (short here, CELERY_VISIBILITY_TIMEOUT), and the resume sweep
re-queues a document left rendering (documents_resume, STUCK_AFTER). Only the run that
moves the row from queued renders it, so the stale message does nothing.
"""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Max

from documents.choices import DocumentKind, DocumentStatus
from documents.models import Document, DocumentStatusChange
from documents.services import STUCK_AFTER, document_request, documents_resume
from tests.factories import PolicyFactory
from tests.notifications.test_worker import _start_worker, broker  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DOCUMENTS = 4


def _wait(predicate, timeout: float = 90, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _statuses(ids) -> list[str]:
    return list(Document.objects.filter(pk__in=ids).values_list("status", flat=True))


@pytest.mark.usefixtures("broker")
def test_a_worker_killed_mid_pdf_loses_nothing_and_renders_nothing_twice(
    tmp_path, insured_a, monkeypatch
):
    policies = [PolicyFactory(insured=insured_a, status="in_force") for _ in range(DOCUMENTS)]
    # The fresh worker takes the killed worker's unacknowledged message back after 2 s.
    monkeypatch.setitem(os.environ, "CELERY_VISIBILITY_TIMEOUT", "2")
    monkeypatch.setitem(os.environ, "CELERY_UNACKED_RESTORE_INTERVAL", "1")
    worker = _start_worker(tmp_path)
    with transaction.atomic():
        ids = [
            document_request(kind=DocumentKind.POLICY_SCHEDULE, subject=policy).pk
            for policy in policies
        ]
    try:
        assert _wait(lambda: DocumentStatus.RENDERING in _statuses(ids)), _statuses(ids)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    killed = Document.objects.filter(pk__in=ids, status=DocumentStatus.RENDERING).count()
    assert killed == 1, _statuses(ids)  # one pool process: one PDF under way

    worker = _start_worker(tmp_path)
    try:
        # The resume sweep, run as if its ten minutes had passed. It sends the document
        # left rendering and, as it cannot tell a lost message from one still waiting,
        # the queued ones too: messages in duplicate that must render nothing twice.
        # (From the worker's clock: the tests' own is set back to their business day.)
        last = Document.objects.filter(pk__in=ids).aggregate(last=Max("updated_at"))["last"]
        later = last + STUCK_AFTER + timedelta(seconds=1)
        assert documents_resume(now=later) >= 1  # at least the one left rendering
        assert _wait(lambda: set(_statuses(ids)) == {DocumentStatus.ISSUED}, step=0.2), _statuses(
            ids
        )
        time.sleep(3)  # the stale message, back from the broker, must change nothing
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    for document in Document.objects.filter(pk__in=ids):
        assert bytes(document.content).startswith(b"%PDF"), document.reference
        issued = DocumentStatusChange.objects.filter(document=document, to_status="issued")
        assert issued.count() == 1, document.reference
    assert sorted(Document.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == [
        1, 1, 1, 2,
    ]  # fmt: skip
