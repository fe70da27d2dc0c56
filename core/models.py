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
