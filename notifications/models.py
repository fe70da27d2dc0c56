from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.texts import render_text, text_tone
from notifications.choices import OutboxKind, OutboxStatus


class OutboxMessage(models.Model):
    """A side effect written in the same transaction as the change that causes it.

    The worker delivers it after commit (and the beat sweep retries what a dead worker
    left behind), so a rolled-back change never sends anything and a committed one
    always does, at least once.
    """

    kind = models.CharField(max_length=32, choices=OutboxKind.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(db_index=False)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The sweep reads only undelivered rows: keep these indexes small.
            models.Index(
                fields=["available_at"],
                condition=Q(status=OutboxStatus.PENDING),
                name="outbox_pending_idx",
            ),
            models.Index(
                fields=["claimed_until"],
                condition=Q(status=OutboxStatus.SENDING),
                name="outbox_sending_idx",
            ),
        ]


class Notification(models.Model):
    """An in-app message to one user (the bell in the top bar).

    Its texts are a code and parameters (core.texts), rendered when shown in the reader's
    language; `subject` and `body` keep the text as first written, shown only for rows
    without a code (those written before codes existed).
    """

    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    subject_code = models.CharField(max_length=64, blank=True)
    body_code = models.CharField(max_length=64, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # A reader's list and the home's latest five, newest first, without a sort.
            models.Index(fields=["recipient", "created_at", "id"], name="notification_list_idx"),
        ]

    def _for_staff(self) -> bool:
        return self.recipient.is_insurer_staff

    @property
    def subject_text(self) -> str:
        return render_text(
            self.subject_code, self.params, staff=self._for_staff(), fallback=self.subject
        )

    @property
    def body_text(self) -> str:
        return render_text(self.body_code, self.params, staff=self._for_staff(), fallback=self.body)

    @property
    def tone(self) -> str:
        """The colour of its badge: adverse news (cuts, refusals) looks adverse."""
        return text_tone(self.subject_code, self.params) or "secondary"
