"""Small presentation helpers for templates."""

from decimal import Decimal

from django import forms, template

register = template.Library()


@register.filter
def bs(field):
    """Render a form field with the Bootstrap class its widget needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select form-select-sm"
    else:
        css = "form-control form-control-sm"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def money(value):
    """1234567.8 → 1,234,567.80 (thousands separators, two places, right-aligned by CSS)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def thousands(value):
    """1234567 → 1,234,567: counts, with the same separators as `money` in every language
    (humanize's intcomma follows the locale, which for Chinese has none)."""
    return f"{int(value):,}"
