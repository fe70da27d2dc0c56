"""The audit trail (SPEC 11) as written by pghistory's database triggers, shown to people.

Triggers write an event row for every insert and update, whatever the code path
(ORM save, queryset `.update()`, raw SQL); the acting user comes from the pghistory
context that `core.services.action` and the middleware set.

The rows hold raw column values (ids, codes, UTC timestamps, amounts as JSON numbers);
`history_for` turns them into what a reader understands: the field's label, names for
foreign keys, choice labels, amounts with thousands separators, local dates and times.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.models import MiddlewareEvents

from core.money import MoneyField

HISTORY_ROWS = 50
# pghistory's event labels, as the page shows them.
EVENT_LABELS = {"insert": gettext_lazy("created"), "update": gettext_lazy("changed")}
# Bookkeeping columns, and the codes behind texts whose rendered column is shown instead.
HIDDEN_FIELDS = frozenset(
    {
        "updated_at",
        "created_at",
        "auto_note_code",
        "auto_note_params",
        "explanation_code",
        "explanation_params",
    }
)
EMPTY = "—"


@dataclass(frozen=True)
class AuditChange:
    field: str  # the column, for code and tests
    label: str  # the field's name as people call it
    before: str
    after: str


@dataclass
class AuditEntry:
    at: datetime
    label: str
    user: str
    changes: list[AuditChange]


def _model_fields(model) -> dict[str, models.Field]:
    """Concrete fields by column name as the diff names them (`buyer_id`) and by name."""
    fields = {}
    for f in model._meta.concrete_fields:
        fields[f.attname] = f
        fields[f.name] = f
    return fields


def _related_names(events, fields) -> dict[tuple[type, object], str]:
    """One query per related model for every foreign key value in the events."""
    wanted: dict[type, set] = {}
    for event in events:
        for name, pair in (event.pgh_diff or {}).items():
            field = fields.get(name)
            if field is not None and field.is_relation and field.many_to_one:
                wanted.setdefault(field.related_model, set()).update(
                    v for v in pair if v is not None
                )
    names = {}
    for model, ids in wanted.items():
        for pk, obj in model._default_manager.in_bulk(list(ids)).items():
            names[(model, pk)] = str(obj)
    return names


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _shown(field: models.Field | None, value, names) -> str:
    """One value of one field as a reader understands it."""
    if value is None or value == "":
        return EMPTY
    if field is None:
        return str(value)
    if field.is_relation and field.many_to_one:
        return names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DecimalField):
        number = _decimal(value)
        if number is None:
            return str(value)
        if isinstance(field, MoneyField):
            return f"{number:,.2f}"
        return format(number.normalize(), "f")
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is None:
            return str(value)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return str(value)


def history_for(obj, *, limit: int = HISTORY_ROWS) -> list[AuditEntry]:
    """The newest audit entries of one object, with who made each change."""
    events = list(
        MiddlewareEvents.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    fields = _model_fields(type(obj))
    names = _related_names(events, fields)
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids - {None})}
    entries = []
    for event in events:
        context = event.pgh_context or {}
        changes = []
        for name, (before, after) in sorted((event.pgh_diff or {}).items()):
            field = fields.get(name)
            if name in HIDDEN_FIELDS or (field is not None and field.name in HIDDEN_FIELDS):
                continue
            if isinstance(field, models.JSONField):
                continue
            label = capfirst(str(field.verbose_name)) if field is not None else name
            changes.append(
                AuditChange(
                    field=field.name if field is not None else name,
                    label=label,
                    before=_shown(field, before, names),
                    after=_shown(field, after, names),
                )
            )
        entries.append(
            AuditEntry(
                at=timezone.localtime(event.pgh_created_at),
                label=str(EVENT_LABELS.get(event.pgh_label, event.pgh_label)),
                user=users.get(context.get("user"), _("system") if context else EMPTY),
                changes=changes,
            )
        )
    return entries
