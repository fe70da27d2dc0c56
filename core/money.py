"""Money is CNY as Decimal with two places, never float (SPEC 1).

One definition for the whole project: the model field, the form field and the API field
all read an amount with `parse_money`, so an amount means the same wherever it is typed.

`Decimal()` itself is far too lenient for input: it reads "1e10", "1_000", "NaN",
"Infinity", full-width digits (１２３) and Arabic-Indic digits (١٢٣). Only ASCII digits
with an optional point are amounts here. The API takes strings only: a JSON number is
parsed through a float before any field sees it (ENVIRONMENT.md: 12345678901234567.89
arrives as ...68.00), so it is refused rather than silently rounded. Forms also accept
thousands commas in their only unambiguous form, groups of exactly three digits
("1,000.50", "1,234,567"); anything else with a separator ("1 000,50", "1.000,50",
"12,34") is refused instead of guessed, since the comma may have been meant as a decimal
point.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

CENT = Decimal("0.01")
MAX_DIGITS = 18
DECIMAL_PLACES = 2
ZERO = Decimal(0)
# Longer input is not an amount; checked before any regular expression runs.
MAX_TEXT_LENGTH = 40

_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
_GROUPED = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)

ERROR_INVALID = _("Enter an amount in digits, e.g. 1234.56.")
ERROR_INVALID_FORM = _("Enter an amount in digits, e.g. 1234.56 or 1,234.56.")
ERROR_NOT_A_STRING = _('Send the amount as a string, e.g. "1234.56": a JSON number loses cents.')


def parse_money(text: str, *, grouping: bool = False) -> Decimal:
    """The Decimal written in `text`, or ValueError.

    ASCII digits, an optional leading minus and an optional point followed by digits;
    with `grouping`, also thousands commas in groups of three. Precision and sign are
    left to the fields' validators, which name the limit that was passed.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT_LENGTH:
        raise ValueError("not an amount")
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if grouping and _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    raise ValueError("not an amount")


def to_cents(value: Decimal) -> Decimal:
    """Round to the cent, half up, as Chinese invoices and debit notes do."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyInput(forms.TextInput):
    def __init__(self, attrs=None):
        super().__init__(
            attrs={"inputmode": "decimal", "style": "text-align: right", **(attrs or {})}
        )


class MoneyFormField(forms.DecimalField):
    """A CNY amount in a form: never negative unless `signed`, see the module docstring."""

    widget = MoneyInput
    default_error_messages = {"invalid": ERROR_INVALID_FORM}

    def __init__(self, *, signed=False, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        if not signed:
            kwargs.setdefault("min_value", ZERO)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_money(str(value).strip(), grouping=True)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        # No step/min/max: the browser's number rules would reject "2,000,000".
        return {}


class MoneySerializerField(serializers.DecimalField):
    """A CNY amount in the API: a JSON string, never negative unless `signed`."""

    default_error_messages = {"invalid": ERROR_INVALID, "not_a_string": ERROR_NOT_A_STRING}

    def __init__(self, *, signed=False, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        if not signed and not kwargs.get("read_only"):
            kwargs.setdefault("min_value", ZERO)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        try:
            value = parse_money(data.strip())
        except ValueError:
            self.fail("invalid")
        return self.quantize(self.validate_precision(value))


class MoneyTotalSerializerField(MoneySerializerField):
    """A read-only sum over many amounts: may pass 18 digits, still two places."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, read_only=True, **kwargs)


class MoneyField(models.DecimalField):
    """A CNY amount: 18 digits, 2 decimal places, never negative unless `signed`.

    Its form field and API field are the ones above (`core.api.ModelSerializer` maps it).
    """

    def __init__(self, *args, signed=False, **kwargs):
        self.signed = signed
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        extra = [] if self.signed else [MinValueValidator(ZERO)]
        return [*super().validators, *extra]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MoneyFormField, "signed": self.signed, **kwargs})

    def deconstruct(self):
        # A plain DecimalField to migrations: the sign rule lives in validators and
        # CheckConstraints, so changing it never needs a migration of its own.
        name, path, args, kwargs = super().deconstruct()
        path = "django.db.models.DecimalField"
        return name, path, args, kwargs
