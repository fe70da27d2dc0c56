"""Texts the system writes (notes, notification subjects and bodies) in the reader's language.

A service does not store a sentence in the language of whoever happened to trigger it:
it stores a code and plain parameters (JSON), and the page, the API or the e-mail renders
the text when it is shown, with the reader's active language. Amounts and choice codes
stay raw in the parameters and are formatted at display time (thousands separators, the
choice's label in the reader's language).

Each app declares its texts in its own `texts.py` with `system_text(...)`; they are found
on first use the way the admin finds `admin.py` modules, so no app imports another's.

A text may name an `insured` variant: what an insured (or bank) user reads instead,
because the insurer's workings (approval ceilings, buyer capacity) are not theirs to see.
Rendering defaults to that variant; insurer staff pages ask for `staff=True`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Choices
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

_REGISTRY: dict[str, "SystemText"] = {}
_discovered = False


@dataclass(frozen=True)
class SystemText:
    code: str
    text: Any  # a lazy gettext string with %(name)s placeholders
    money: frozenset[str] = frozenset()  # parameters shown as 1,234,567.89
    choices: Mapping[str, type[Choices]] = field(default_factory=dict)  # value → label
    nested: frozenset[str] = frozenset()  # parameters holding another text's code
    insured: str = ""  # code of what readers outside the insurer see instead
    tone: str = ""  # Bootstrap colour of its badge: success, info, warning, danger

    def __str__(self):
        return self.code

    def __call__(self, **params) -> "Text":
        """This text with its parameters, ready to store."""
        return Text(self.code, text_params(**params))


@dataclass(frozen=True)
class Text:
    """A text as rows store it: a code and JSON parameters."""

    code: str
    params: dict = field(default_factory=dict)

    def render(self, *, staff: bool = False) -> str:
        return render_text(self.code, self.params, staff=staff)


def system_text(code: str, text, **options) -> SystemText:
    """Declare one text under a stable code (stored in rows: never rename a code)."""
    for name in ("money", "nested"):
        if name in options:
            options[name] = frozenset(options[name])
    entry = SystemText(code=code, text=text, **options)
    _REGISTRY[code] = entry
    return entry


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("texts")
        _discovered = True


def text_entry(code: str) -> SystemText | None:
    _discover()
    return _REGISTRY.get(code)


def _money(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _format(entry: SystemText, params: Mapping, staff: bool) -> dict:
    values = {}
    for name, value in params.items():
        if value is None:
            values[name] = "—"
        elif name in entry.nested:
            values[name] = render_text(value, params, staff=staff, fallback=str(value))
        elif name in entry.money:
            values[name] = _money(value)
        elif name in entry.choices:
            try:
                values[name] = str(entry.choices[name](value).label)
            except ValueError:
                values[name] = str(value)
        else:
            values[name] = str(value)
    return values


def render_text(code: str, params: Mapping | None = None, *, staff: bool = False, fallback=""):
    """The text for `code` in the active language; `fallback` (the free text old rows
    carry) when there is no code or it is unknown."""
    entry = text_entry(code) if code else None
    if entry is None:
        return fallback
    if not staff and entry.insured:
        entry = text_entry(entry.insured) or entry
    try:
        return str(entry.text) % _format(entry, params or {}, staff)
    except (KeyError, TypeError, ValueError):
        return fallback or str(entry.text)


def text_tone(code: str, params: Mapping | None = None) -> str:
    """The badge colour of a text, or of the text it nests (a decision's outcome)."""
    entry = text_entry(code) if code else None
    if entry is None:
        return ""
    if entry.tone:
        return entry.tone
    for name in sorted(entry.nested):
        tone = text_tone((params or {}).get(name, ""))
        if tone:
            return tone
    return ""


def text_params(**params) -> dict:
    """Parameters as JSON keeps them: amounts as exact strings, dates as ISO."""
    clean = {}
    for name, value in params.items():
        if isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif isinstance(value, datetime):
            value = timezone.localtime(value).isoformat(timespec="minutes")
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Choices):
            value = value.value
        elif value is not None and not isinstance(value, int | float | bool | str):
            value = str(value)
        clean[name] = value
    return clean
