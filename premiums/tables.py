"""Columns of the premium lists, shared by each page and its CSV/XLSX export."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tables import Column
from premiums import rules
from premiums.choices import QUARTER_BADGES, QuarterState


def quarter_estimate(policy) -> Decimal:
    quarters = rules.policy_quarters(period_start=policy.period_start, period_end=policy.period_end)
    return rules.quarter_estimate(
        estimated_annual_turnover=policy.estimated_annual_turnover, quarters=len(quarters)
    )


@dataclass(frozen=True)
class QuarterStateColumn(Column):
    """Where the quarter's declaration stands (annotated `state`), coloured: missing red."""

    kind: str = "badge"

    def raw(self, obj):
        return QuarterState(obj.state).label

    def text(self, obj) -> str:
        return str(self.raw(obj))

    def display(self, obj) -> str:
        return self.text(obj)

    def tone(self, obj) -> str:
        return QUARTER_BADGES[obj.state]


@dataclass(frozen=True)
class QuarterEstimateColumn(Column):
    """The policy's estimated insured turnover for one quarter (a quarter of the year's)."""

    kind: str = "money"

    def raw(self, obj):
        return quarter_estimate(obj.policy)


@dataclass(frozen=True)
class AgainstEstimateColumn(Column):
    """Declared turnover as a percentage of the quarter's estimate."""

    kind: str = "number"

    def raw(self, obj):
        estimate = quarter_estimate(obj.policy)
        if obj.declared_turnover is None or not estimate:
            return None
        return (obj.declared_turnover * 100 / estimate).quantize(Decimal("0.1"))

    def text(self, obj) -> str:
        value = self.raw(obj)
        return "" if value is None else f"{value}%"

    def display(self, obj) -> str:
        return self.text(obj)


@dataclass(frozen=True)
class DaysOverdueColumn(Column):
    kind: str = "number"

    def raw(self, obj):
        return max(0, (timezone.localdate() - obj.due_on).days)


DECLARATION_QUARTER_COLUMNS = [
    Column("policy.policy_number", _("Policy"), sort="policy__policy_number", kind="link"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("detail", _("Quarter"), sort="quarter", kind="date"),
    Column("due_on", _("Due on"), sort="due_on", kind="date"),
    QuarterStateColumn("state", _("Declaration"), sort="state", testid="quarter-state"),
    Column("met_on", _("Declared on"), sort="met_on", kind="date"),
    Column(
        "declared_turnover",
        _("Declared turnover"),
        sort="declared_turnover",
        kind="money",
        testid="declared-turnover",
    ),  # fmt: skip
    QuarterEstimateColumn("estimate", _("Quarter estimate")),
    AgainstEstimateColumn("against", _("Of the estimate")),
]

OVERDUE_NOTE_COLUMNS = [
    Column("number", _("Number"), sort="number", kind="link", testid="note-number"),
    Column("policy.policy_number", _("Policy"), sort="policy__policy_number"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("kind", _("Kind"), sort="kind", choice=True),
    Column("issued_on", _("Issued on"), sort="issued_on", kind="date"),
    Column("due_on", _("Due on"), sort="due_on", kind="date"),
    DaysOverdueColumn("days_overdue", _("Days overdue"), testid="days-overdue"),
    Column("amount", _("Amount"), sort="amount", kind="money"),
    Column("paid_amount", _("Paid"), sort="paid_amount", kind="money"),
    Column("outstanding", _("Outstanding"), kind="money", testid="outstanding"),
    Column("status", _("Status"), sort="status", kind="badge", choice=True),
]
