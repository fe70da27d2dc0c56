"""The audit trail (SPEC 11) as written by pghistory's database triggers.

Triggers write an event row for every insert and update, whatever the code path
(ORM save, queryset `.update()`, raw SQL); the acting user comes from the pghistory
context that `core.services.action` and the middleware set.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from pghistory.models import MiddlewareEvents

HISTORY_ROWS = 50
# pghistory's event labels, as the page shows them.
EVENT_LABELS = {"insert": _("created"), "update": _("changed")}


@dataclass
class AuditEntry:
    at: datetime
    label: str
    user: str
    changes: list[tuple[str, object, object]]


def history_for(obj, *, limit: int = HISTORY_ROWS) -> list[AuditEntry]:
    """The newest audit entries of one object, with who made each change."""
    events = list(
        MiddlewareEvents.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = {
        u.pk: u.get_full_name() or u.get_username()
        for u in get_user_model().objects.filter(pk__in=user_ids - {None})
    }
    entries = []
    for event in events:
        context = event.pgh_context or {}
        diff = event.pgh_diff or {}
        changes = [
            (field, before, after)
            for field, (before, after) in sorted(diff.items())
            if field not in ("updated_at",)
        ]
        entries.append(
            AuditEntry(
                at=event.pgh_created_at,
                label=str(EVENT_LABELS.get(event.pgh_label, event.pgh_label)),
                user=users.get(context.get("user"), str(_("system")) if context else "—"),
                changes=changes,
            )
        )
    return entries
