import pgtrigger
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.models import StatusChange
from core.records import kept
from core.text import LONG_TEXT_MAX_LENGTH
from core.transitions import append_only, status_guard
from documents.choices import (
    DOCUMENT_BADGES,
    DocumentAction,
    DocumentKind,
    DocumentStatus,
)

# What an issued document is: none of it changes once issued (SPEC 9), whatever code or
# SQL tries; the trigger below refuses it. `superseded_by` is not among them: a
# correction marks the version it replaces without touching what was issued.
ISSUED_COLUMNS = (
    "content", "sha256", "reference", "size", "page_count", "filename", "kind", "version",
    "subject_type_id", "subject_id", "issued_at",
)  # fmt: skip


def _changed(columns) -> pgtrigger.Q:
    condition = pgtrigger.Q()
    for column in columns:
        condition |= pgtrigger.Q(**{f"old__{column}__df": pgtrigger.F(f"new__{column}")})
    return condition


class Document(models.Model):
    """One version of one generated PDF about one subject (SPEC 9).

    The subject is any row (a notice, a worksheet, a policy) by content type and id; the
    policy and buyer are copied from it for the visibility rule (core.scope), so a list of
    documents is filtered without reading every subject. The PDF itself is kept in the
    row, as bytes with their SHA-256, so that every worker and web process reads the same
    file and its hash can be checked against what was handed out.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.PositiveBigIntegerField(_("subject"))
    subject = GenericForeignKey("subject_type", "subject_id")
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, null=True, blank=True,
        related_name="documents", verbose_name=_("policy"),
    )  # fmt: skip
    buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, null=True, blank=True,
        related_name="documents", verbose_name=_("buyer"),
    )  # fmt: skip
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices)
    filename = models.CharField(_("file name"), max_length=200)
    # The PDF, empty until issued (never under the web root: every download is checked).
    content = models.BinaryField(_("content"), default=b"", editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    page_count = models.PositiveSmallIntegerField(_("pages"), default=0)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    # Why a correction was made (a version after the first).
    reissue_reason = models.TextField(
        _("reason for the new version"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes",
        verbose_name=_("superseded by"),
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Renderings tried since the document was last queued by a person (documents.services).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            FieldUniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "version"],
                name="document_version_unique",
                field="version",
                violation_error_message=_("This version of the document already exists."),
            ),
            FieldCheckConstraint(
                condition=Q(version__gte=1),
                name="document_version_positive",
                field="version",
                violation_error_message=_("Versions count from 1."),
            ),
            FieldCheckConstraint(
                condition=~Q(status="issued") | (Q(size__gt=0) & ~Q(sha256="")),
                name="document_issued_has_content",
                field="content",
                violation_error_message=_("An issued document has its file and its hash."),
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="document_subject_idx"),
            # A list's default order, walked in the index for its first page instead of
            # sorting every row the role sees (issue 10, B7: EXPLAIN on 20,000 rows).
            models.Index(fields=["created_at", "id"], name="document_list_idx"),
            # The sweep looks for the few documents still waiting (documents.tasks).
            models.Index(
                fields=["updated_at"],
                condition=Q(status__in=["queued", "rendering"]),
                name="document_pending_idx",
            ),
        ]
        triggers = [
            status_guard(),
            pgtrigger.Protect(
                name="issued_document_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status="issued") & _changed(ISSUED_COLUMNS),
            ),
            # Drafts too: the app never deletes a document, a failed one stays as its record.
            kept("document_kept"),
        ]

    def __str__(self):
        return f"{self.reference} v{self.version}"

    def get_absolute_url(self):
        return reverse("documents:detail", args=[self.pk])

    @property
    def download_url(self) -> str:
        return reverse("documents:download", args=[self.pk])

    @property
    def status_url(self) -> str:
        return reverse("documents:status", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return DOCUMENT_BADGES[self.status]

    @property
    def is_pending(self) -> bool:
        return self.status in (DocumentStatus.QUEUED, DocumentStatus.RENDERING)

    @property
    def is_issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED

    @property
    def sha256_short(self) -> str:
        return self.sha256[:12]


class DocumentStatusChange(StatusChange):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=32, choices=DocumentAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=DocumentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=DocumentStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("document status change")
        verbose_name_plural = _("document status changes")
        triggers = [append_only()]
