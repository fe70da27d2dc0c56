from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxKind(models.TextChoices):
    EMAIL = "email", _("E-mail")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# How long a worker may take to send one message before another may claim it again.
CLAIM_LEASE = timedelta(minutes=10)
# After this many failed attempts a message stops being retried and shows as failed.
MAX_ATTEMPTS = 8
