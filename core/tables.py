"""Column definitions shared by a list page, its CSV and its XLSX export (NetBox-style)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str  # attribute path, dotted ("insured.name"), or a get_<key>_display choice
    label: Any
    sort: str | None = None  # ORM ordering field when the column is sortable
    kind: str = "text"  # text | money | number | date | badge | link
    choice: bool = False  # show get_FOO_display()
    testid: str = ""  # data-testid of its cells, for tests
    wrap: bool = False  # a long badge (an outcome with amounts) may wrap

    def raw(self, obj):
        value = obj
        parts = self.key.split(".")
        for i, part in enumerate(parts):
            if value is None:
                return None
            if self.choice and i == len(parts) - 1:
                value = getattr(value, f"get_{part}_display")()
            else:
                value = getattr(value, part)
        return value

    def text(self, obj) -> str:
        """Value as a string for CSV and screen; money with two places."""
        value = self.raw(obj)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "✓" if value else ""
        if isinstance(value, Decimal) and self.kind == "money":
            return f"{value:.2f}"
        return str(value)

    def display(self, obj) -> str:
        value = self.raw(obj)
        if self.kind == "money" and value is not None:
            return f"{value:,.2f}"
        return self.text(obj)

    def tone(self, obj) -> str:
        """The colour of a badge column's cell (the object's status colour by default)."""
        return getattr(obj, "status_badge", "secondary") if self.kind == "badge" else ""
