"""Document kinds, statuses and the transition table of a document's rendering (SPEC 9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.transitions import StateMachine


class DocumentKind(models.TextChoices):
    LOSS_NOTICE = "loss_notice", _("Notice of possible loss")
    CLAIM_WORKSHEET = "claim_worksheet", _("Claim worksheet")
    ASSIGNMENT_AGREEMENT = "assignment_agreement", _("Assignment agreement")
    POLICY_SCHEDULE = "policy_schedule", _("Policy schedule")
    LIMIT_LETTER = "limit_letter", _("Limit decision letter")
    DEBIT_NOTE = "debit_note", _("Debit note")


# The reference number's prefix per kind: `LN-2026-000001` (documents.services). Each
# kind counts with a PostgreSQL sequence of its own (migration 0002), so a new kind comes
# with a migration creating `documents_reference_<prefix>`.
REFERENCE_PREFIXES = {
    DocumentKind.LOSS_NOTICE: "LN",
    DocumentKind.CLAIM_WORKSHEET: "CW",
    DocumentKind.ASSIGNMENT_AGREEMENT: "AG",
    DocumentKind.POLICY_SCHEDULE: "PS",
    DocumentKind.LIMIT_LETTER: "LL",
    DocumentKind.DEBIT_NOTE: "DB",
}


class DocumentStatus(models.TextChoices):
    # With a context: "Failed" and "Queued" are also the outbox's, worded for messages.
    QUEUED = "queued", pgettext_lazy("document status", "Queued")
    RENDERING = "rendering", pgettext_lazy("document status", "Being generated")
    ISSUED = "issued", pgettext_lazy("document status", "Issued")
    FAILED = "failed", pgettext_lazy("document status", "Failed")


class DocumentAction(models.TextChoices):
    REQUEST = "request", _("Request")
    RENDER = "render", _("Start generating")
    ISSUE = "issue", _("Issue")
    FAIL = "fail", _("Fail")
    RETRY = "retry", _("Retry")
    RESUME = "resume", _("Resume after a lost worker")


DS, DA = DocumentStatus, DocumentAction

# SPEC 9: generation is a background job. A worker claims a queued document by
# compare-and-set (queued -> rendering), so two deliveries of the task render it once;
# a rendering whose worker was killed is put back in the queue by the sweep (resume).
# An issued document has no move at all: a correction is a new version.
DOCUMENT_MACHINE = StateMachine(
    name="documents.document",
    model="documents.Document",
    history="documents.DocumentStatusChange",
    history_fk="document",
    rows=(
        ("", DA.REQUEST, DS.QUEUED),
        (DS.QUEUED, DA.RENDER, DS.RENDERING),
        (DS.RENDERING, DA.ISSUE, DS.ISSUED),
        (DS.RENDERING, DA.FAIL, DS.FAILED),
        (DS.FAILED, DA.RETRY, DS.QUEUED),
        (DS.RENDERING, DA.RESUME, DS.QUEUED),
    ),
    status_labels=dict(DocumentStatus.choices),
    action_labels=dict(DocumentAction.choices),
)

# Not finished yet: the page shows progress and polls (documents.templatetags).
PENDING_STATUSES = frozenset({DS.QUEUED, DS.RENDERING})
# A request for a kind and subject returns its current version in one of these.
LIVE_STATUSES = frozenset({DS.QUEUED, DS.RENDERING, DS.ISSUED})

DOCUMENT_BADGES = {
    DS.QUEUED: "secondary",
    DS.RENDERING: "info",
    DS.ISSUED: "success",
    DS.FAILED: "danger",
}
