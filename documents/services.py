"""Requesting, rendering and correcting documents (SPEC 9).

1. `document_request` records a queued document (its reference number and file name
   fixed at once) and sends `documents.tasks.render_document` on commit. Asked again for
   the same kind and subject, it returns the current version instead of making another.
2. `document_render` (the task) claims the document by compare-and-set (queued ->
   rendering), renders the PDF outside any transaction, then stores the bytes with their
   SHA-256 and page count and issues it in one transaction. A second delivery of the
   task finds nothing queued and does nothing; a failure is recorded (failed, with the
   error) and queued again for up to `MAX_ATTEMPTS` renderings.
3. `documents_resume` (the sweep) queues again what a killed worker left behind.
4. `document_reissue` makes the next version of an issued document (a correction); the
   version before stays as it was issued, downloadable, and is marked superseded by the
   new one when that is issued.
5. `document_refresh` is what a reaction asks when the subject itself changed (an edited
   or amended agreement): the version about to be rendered, or the next one.
"""

import hashlib
import logging
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.sweeps import drain
from core.text import LONG_TEXT_MAX_LENGTH
from core.transitions import create, transition
from documents.choices import (
    DOCUMENT_MACHINE,
    LIVE_STATUSES,
    REFERENCE_PREFIXES,
    DocumentAction,
    DocumentStatus,
)
from documents.models import Document
from documents.pdf import render_pdf
from documents.registry import renderer_for

logger = logging.getLogger(__name__)

JOB_RENDER = "render-document"
JOB_RESUME = "resume-documents"
MAX_ATTEMPTS = 3
# Seconds before the next automatic rendering after a failure (second, third).
RETRY_DELAYS = (30, 120)
# A document still queued or rendering after this long lost its task or its worker: a
# rendering cannot take longer, the task's hard time limit (CELERY_TASK_TIME_LIMIT, 300 s)
# ends it first.
STUCK_AFTER = timedelta(minutes=10)

ERROR_STAFF_ONLY = gettext_lazy("Only insurer staff make a new version of a document.")
ERROR_REASON_REQUIRED = gettext_lazy("Say why the document is corrected.")
ERROR_REASON_TOO_LONG = gettext_lazy("Keep the reason within %(max)s characters.")
ERROR_NOT_ISSUED = gettext_lazy("Only an issued document can be corrected.")
ERROR_NOT_LATEST = gettext_lazy(
    "Version %(version)s of this document exists already: correct the latest version."
)


def _send(document_id: int, *, countdown: int = 0) -> None:
    """The rendering task, sent once the caller's transaction has committed."""
    from documents.tasks import render_document  # the tasks module imports this one

    transaction.on_commit(
        lambda: render_document.apply_async((document_id,), countdown=countdown or None)
    )


def _lock_subject(kind: str, subject_type: ContentType, subject_id: int) -> None:
    """Serialise requests for one kind and subject until the transaction ends: two at once
    would both find no version and both make version 1 (a unique violation for one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"documents:{kind}:{subject_type.pk}:{subject_id}"],
        )


def _new_reference(kind: str) -> str:
    """`LN-2026-000001`: the kind's prefix, the year asked (Asia/Shanghai) and the kind's
    sequence, which never restarts, so a number is unique without a yearly reset."""
    prefix = REFERENCE_PREFIXES[kind]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [f"documents_reference_{prefix.lower()}"])
        (number,) = cursor.fetchone()
    return f"{prefix}-{timezone.localdate().year}-{number:06d}"


def _latest(kind: str, subject_type: ContentType, subject_id: int) -> Document | None:
    return (
        Document.objects.defer("content")
        .filter(kind=kind, subject_type=subject_type, subject_id=subject_id)
        .order_by("-version")
        .first()
    )


def _create_version(*, kind, subject, subject_type, version, reference, actor, job,
                    reason="") -> Document:  # fmt: skip
    renderer = renderer_for(kind)
    policy_id, buyer_id = renderer.parties(subject)
    document = Document(
        kind=kind, subject_type=subject_type, subject_id=subject.pk, policy_id=policy_id,
        buyer_id=buyer_id, version=version, reference=reference,
        requested_by=actor if getattr(actor, "pk", None) else None, reissue_reason=reason,
    )  # fmt: skip
    document.filename = renderer.filename(document)[:200]
    create(DOCUMENT_MACHINE, document, DocumentAction.REQUEST, actor=actor, job=job, reason=reason)
    _send(document.pk)
    return document


def document_request(*, kind: str, subject: Model, actor=None, job: str = "") -> Document:
    """The current document of `kind` about `subject`, asked for once.

    A version queued, being rendered or issued is returned as it is; a failed one is
    queued again; with none, version 1 is made. Runs in the caller's transaction (a
    reaction to the subject's own change) and renders nothing: the task is sent on commit.
    """
    renderer_for(kind)  # an unknown kind is refused before anything is written
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    with transaction.atomic():
        _lock_subject(kind, subject_type, subject.pk)
        latest = _latest(kind, subject_type, subject.pk)
        if latest is not None and latest.status in LIVE_STATUSES:
            return latest
        if latest is not None:  # failed: a person asks again, so it gets fresh attempts
            transition(
                DOCUMENT_MACHINE, latest, DocumentAction.RETRY, actor=actor, job=job,
                changes={"attempts": 0, "error": ""},
            )  # fmt: skip
            _send(latest.pk)
            return latest
        return _create_version(
            kind=kind, subject=subject, subject_type=subject_type, version=1,
            reference=_new_reference(kind), actor=actor, job=job,
        )  # fmt: skip


def _correction_reference(first: Document, version: int) -> str:
    """A correction keeps the number of the document it corrects: LN-2026-000001-V2."""
    return f"{first.reference}-V{version}"


def document_reissue(*, actor, document_id: int, reason: str) -> Document:
    """The next version of an issued document, with the reason for the correction
    (insurer staff). The issued version is kept as it is; the new one is rendered anew
    from the subject as it is now."""
    if not getattr(actor, "is_insurer_staff", False):
        raise PermissionError(str(ERROR_STAFF_ONLY))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    if len(reason) > LONG_TEXT_MAX_LENGTH:
        raise ValidationError({"reason": ERROR_REASON_TOO_LONG % {"max": LONG_TEXT_MAX_LENGTH}})
    with transaction.atomic():
        document = Document.objects.defer("content").get(pk=document_id)
        _lock_subject(document.kind, document.subject_type, document.subject_id)
        latest = _latest(document.kind, document.subject_type, document.subject_id)
        if latest.pk != document.pk:
            raise ValidationError({"reason": ERROR_NOT_LATEST % {"version": latest.version}})
        if document.status != DocumentStatus.ISSUED:
            raise ValidationError({"reason": ERROR_NOT_ISSUED})
        return _next_version(document, actor=actor, job="", reason=reason)


def _next_version(document: Document, *, actor, job: str, reason: str,
                  subject: Model | None = None) -> Document:  # fmt: skip
    first = Document.objects.only("reference").get(
        kind=document.kind, subject_type=document.subject_type,
        subject_id=document.subject_id, version=1,
    )  # fmt: skip
    version = document.version + 1
    return _create_version(
        kind=document.kind, subject=subject or document.subject,
        subject_type=document.subject_type, version=version,
        reference=_correction_reference(first, version), actor=actor, job=job, reason=reason,
    )  # fmt: skip


def document_refresh(*, kind: str, subject: Model, reason: str, actor=None,
                     job: str = "") -> Document:  # fmt: skip
    """The subject changed after its document was asked for (an edited draft, an amended
    agreement): make sure a version shows it as it is now, and return that version.

    With none yet, version 1 is made; a version still queued is rendered after this
    commit, so it shows the change already (its row is locked until then: a worker's
    claim waits for the commit); a version issued or being rendered from the subject as
    it was is followed by the next one, with `reason` (the PDF prints it). Runs in the
    caller's transaction, like `document_request`, and renders nothing.
    """
    renderer_for(kind)
    reason = (reason or "").strip()[:LONG_TEXT_MAX_LENGTH]
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    with transaction.atomic():
        _lock_subject(kind, subject_type, subject.pk)
        latest = _latest(kind, subject_type, subject.pk)
        if latest is None:
            return _create_version(
                kind=kind, subject=subject, subject_type=subject_type, version=1,
                reference=_new_reference(kind), actor=actor, job=job,
            )  # fmt: skip
        latest = Document.objects.defer("content").select_for_update().get(pk=latest.pk)
        if latest.status == DocumentStatus.QUEUED:
            return latest
        if latest.status == DocumentStatus.FAILED:
            transition(
                DOCUMENT_MACHINE, latest, DocumentAction.RETRY, actor=actor, job=job,
                changes={"attempts": 0, "error": ""},
            )  # fmt: skip
            _send(latest.pk)
            return latest
        return _next_version(latest, actor=actor, job=job, reason=reason, subject=subject)


def _fail(document: Document, error: BaseException) -> None:
    """Record the failure; queue the document again while it has attempts left."""
    text = f"{type(error).__name__}: {error}"
    with transaction.atomic():
        transition(
            DOCUMENT_MACHINE, document, DocumentAction.FAIL, job=JOB_RENDER,
            reason=text[:LONG_TEXT_MAX_LENGTH], changes={"error": text},
        )  # fmt: skip
        if document.attempts < MAX_ATTEMPTS:
            transition(DOCUMENT_MACHINE, document, DocumentAction.RETRY, job=JOB_RENDER)
            _send(document.pk, countdown=RETRY_DELAYS[document.attempts - 1])


def _issue(document: Document, content: bytes, page_count: int) -> None:
    with transaction.atomic():
        transition(
            DOCUMENT_MACHINE, document, DocumentAction.ISSUE, job=JOB_RENDER,
            changes={
                "content": content, "sha256": hashlib.sha256(content).hexdigest(),
                "size": len(content), "page_count": page_count, "issued_at": timezone.now(),
                "error": "",
            },
        )  # fmt: skip
        # The version before is kept as issued; it now points at its correction. Only the
        # one just before: a version made while the one before it was still being
        # rendered (document_refresh) may be issued first, and each keeps its own link.
        Document.objects.filter(
            kind=document.kind, subject_type_id=document.subject_type_id,
            subject_id=document.subject_id, version=document.version - 1,
            superseded_by__isnull=True,
        ).update(superseded_by=document)  # fmt: skip


def document_render(*, document_id: int) -> str:
    """Render a queued document and issue it; the document's status afterwards.

    Safe to repeat: only the run whose compare-and-set moved it from queued renders it.
    The PDF is made between two short transactions, never inside one: no row stays
    locked while WeasyPrint works.
    """
    document = Document.objects.defer("content").filter(pk=document_id).first()
    if document is None:
        return ""
    claimed = transition(
        DOCUMENT_MACHINE, document, DocumentAction.RENDER, claim=True, job=JOB_RENDER,
        changes={"attempts": document.attempts + 1},
    )  # fmt: skip
    if claimed is None:
        return document.status  # issued, failed or being rendered by another delivery
    try:
        rendered = render_pdf(document)
    except Exception as error:  # any failure of a template, a context or WeasyPrint
        logger.exception("Rendering document %s failed", document.pk)
        _fail(document, error)
        return document.status
    _issue(document, rendered.content, rendered.page_count)
    return document.status


def _resume(document_id: int, *, stale_before) -> bool:
    document = (
        Document.objects.defer("content")
        .filter(pk=document_id, updated_at__lt=stale_before)
        .first()
    )
    if document is None:
        return False
    if document.status == DocumentStatus.RENDERING:
        moved = transition(
            DOCUMENT_MACHINE, document, DocumentAction.RESUME, claim=True, job=JOB_RESUME
        )
        if moved is None:
            return False
    else:
        # Still queued: its message was lost (a broker restart). Touch the row so that
        # it is sent again once per period, not on every sweep while workers are down.
        touched = Document.objects.filter(
            pk=document.pk, status=DocumentStatus.QUEUED, updated_at=document.updated_at
        ).update(updated_at=timezone.now())
        if not touched:
            return False
    _send(document.pk)
    return True


def documents_resume(*, now=None) -> int:
    """Queue again every document left queued or rendering for `STUCK_AFTER` (SPEC 10:
    safe to repeat; each row claimed by compare-and-set)."""
    stale_before = (now or timezone.now()) - STUCK_AFTER
    due = Document.objects.filter(
        status__in=[DocumentStatus.QUEUED, DocumentStatus.RENDERING],
        updated_at__lt=stale_before,
    )
    return drain(due, lambda pk: _resume(pk, stale_before=stale_before))
