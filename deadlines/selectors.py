"""Reads of the deadline engine, through the scope module."""

from datetime import date

from django.db.models import QuerySet

from core.scope import visible
from deadlines.choices import PENDING_STATUSES
from deadlines.models import Deadline


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    return visible(user, Deadline).select_related("policy", "policy__insured", "buyer")


def due_next(user, *, today: date, policy=None, limit: int | None = 10) -> list[Deadline]:
    """What is due next: open and missed deadlines, soonest first, each with `days_left`
    (negative once passed)."""
    qs = deadlines_visible_to(user).filter(status__in=PENDING_STATUSES)
    if policy is not None:
        qs = qs.filter(policy=policy)
    qs = qs.order_by("due_on", "pk")
    rows = list(qs[:limit] if limit else qs)
    for row in rows:
        row.days_left = (row.due_on - today).days
    return rows
