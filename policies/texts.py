"""Texts the policies app writes, rendered in the reader's language (core.texts)."""

from django.utils.translation import gettext_lazy as _

from core.texts import system_text

RENEWAL_BLOCKED = system_text(
    "policies.notice.renewal_blocked",
    _("Renewal %(policy)s cannot come into force"),
    tone="danger",
)
