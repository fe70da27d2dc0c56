"""Presentation helpers of the claims pages."""

from django import template

from claims.tables import days_text
from deadlines.choices import DeadlineParty

register = template.Library()


@register.filter
def days_left(value):
    """A clock's days left in words: "12 days left", "today", "3 days overdue"."""
    return days_text(value)


@register.filter
def clock_tone(clock):
    """The badge colour of a clock: met green, missed red, within a week amber."""
    if getattr(clock, "met_on", None) and not clock.missed:
        return "success"
    if clock.missed or (clock.days_left is not None and clock.days_left < 0):
        return "danger"
    if clock.days_left is not None and clock.days_left <= 7:
        return "warning"
    return "light border"


@register.filter
def label_of(value, labels):
    return labels.get(value, value)


@register.filter
def party_label(value):
    """Whose clock it is, in words (the deadline engine's parties)."""
    return DeadlineParty(value).label if value in DeadlineParty.values else value
