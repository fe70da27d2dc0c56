"""Reminder texts of the deadline engine (core.texts codes: never rename one)."""

from django.utils.translation import gettext_lazy as _

from core.texts import system_text
from deadlines.choices import DeadlineKind

CHOICES = {"kind": DeadlineKind}

REMINDER_SUBJECT = system_text(
    "deadlines.reminder.subject",
    _("%(kind)s due in %(days)s days: %(detail)s"),
    choices=CHOICES,
    tone="warning",
)
REMINDER_BODY = system_text(
    "deadlines.reminder.body",
    _("Policy %(policy)s: %(kind)s %(detail)s is due on %(due_on)s."),
    choices=CHOICES,
)
MISSED_SUBJECT = system_text(
    "deadlines.missed.subject",
    _("Deadline missed: %(kind)s %(detail)s"),
    choices=CHOICES,
    tone="danger",
)
MISSED_BODY = system_text(
    "deadlines.missed.body",
    _("Policy %(policy)s: %(kind)s %(detail)s was due on %(due_on)s and is not done."),
    choices=CHOICES,
)
