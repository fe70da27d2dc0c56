"""The status-change row every state machine writes (see `core.transitions`)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import LONG_TEXT_MAX_LENGTH


class StatusChange(models.Model):
    """An event row per status change (healthchecks' Flip): append-only, never edited.

    Concrete subclasses add the foreign key to their object (and any figures of the
    change, e.g. a limit's amount), declare `triggers = [append_only()]` and point
    their app's `StateMachine.history` at themselves.
    """

    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # A periodic job names itself here when no person made the change.
    job = models.CharField(_("job"), max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    # The decision or document that caused the change, if any.
    cause_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cause_id = models.PositiveBigIntegerField(null=True, blank=True)
    cause = GenericForeignKey("cause_type", "cause_id")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class IdempotencyKey(models.Model):
    """One client's `Idempotency-Key` and the first answer given to it (issue 11, IETF
    draft-ietf-httpapi-idempotency-key-header): a replay gets this answer back and writes
    nothing. Inserted before the view runs, so that of concurrent duplicates one runs."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.TextField()
    # sha256 of method, path and body: the same key with another request answers 422.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self):
        return f"{self.key} ({self.state})"
