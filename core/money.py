"""Money is CNY as Decimal with two places, never float (SPEC 1)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

CENT = Decimal("0.01")
MAX_DIGITS = 18


def to_cents(value: Decimal) -> Decimal:
    """Round to the cent, half up, as Chinese invoices and debit notes do."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """A CNY amount: 18 digits, 2 decimal places."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "django.db.models.DecimalField"
        return name, path, args, kwargs
