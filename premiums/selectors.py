"""Reads of the premium account, through the scope module (SPEC 2, 6)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum

from core.money import ZERO
from core.scope import visible
from policies.models import Policy
from premiums import rules
from premiums.choices import (
    QUARTER_BADGES,
    UNPAID_STATUSES,
    DebitNoteKind,
    DebitNoteStatus,
    DeclarationStatus,
    QuarterState,
)
from premiums.models import (
    DebitNote,
    DebitNoteLine,
    Declaration,
    DeclarationUpload,
    Payment,
    PremiumAdjustment,
)


def declarations_visible_to(user) -> QuerySet[Declaration]:
    return visible(user, Declaration).select_related(
        "policy", "policy__insured", "prepared_by", "submitted_by"
    )


def debit_notes_visible_to(user) -> QuerySet[DebitNote]:
    return visible(user, DebitNote).select_related("policy", "policy__insured")


def payments_visible_to(user) -> QuerySet[Payment]:
    return visible(user, Payment).select_related("debit_note", "recorded_by")


def lines_visible_to(user) -> QuerySet[DebitNoteLine]:
    return visible(user, DebitNoteLine)


def uploads_visible_to(user) -> QuerySet[DeclarationUpload]:
    return visible(user, DeclarationUpload).select_related("uploaded_by")


def adjustments_visible_to(user) -> QuerySet[PremiumAdjustment]:
    return visible(user, PremiumAdjustment).select_related("debit_note")


@dataclass
class QuarterRow:
    """One policy quarter as the pages show it: its current declaration, every version,
    and where it stands today."""

    quarter: rules.Quarter
    due_on: date
    state: str
    current: Declaration | None = None
    draft: Declaration | None = None
    versions: list[Declaration] = field(default_factory=list)
    estimate: Decimal = ZERO

    @property
    def badge(self) -> str:
        return QUARTER_BADGES[self.state]

    @property
    def state_label(self) -> str:
        return QuarterState(self.state).label


def quarter_state(
    *, quarter_end: date, due_on: date, current: Declaration | None, today: date
) -> str:
    """SPEC 6: declared (on time or late), due (the quarter has ended, the deadline not
    passed), missing (deadline passed without one), or not yet due."""
    if current is not None:
        return QuarterState.LATE if current.days_late else QuarterState.DECLARED
    if today > due_on:
        return QuarterState.MISSING
    if today >= quarter_end:
        return QuarterState.DUE
    return QuarterState.NOT_YET


def quarter_rows(policy: Policy, *, user, today: date) -> list[QuarterRow]:
    quarters = rules.policy_quarters(period_start=policy.period_start, period_end=policy.period_end)
    versions = list(
        declarations_visible_to(user).filter(policy=policy).order_by("quarter", "-version")
    )
    estimate = rules.quarter_estimate(
        estimated_annual_turnover=policy.estimated_annual_turnover, quarters=len(quarters)
    )
    rows = []
    for q in quarters:
        mine = [d for d in versions if d.quarter == q.index]
        current = next((d for d in mine if d.status == DeclarationStatus.SUBMITTED), None)
        draft = next((d for d in mine if d.status == DeclarationStatus.DRAFT), None)
        due_on = rules.declaration_due_on(
            quarter_end=q.end, deadline_days=policy.declaration_deadline_days
        )
        rows.append(
            QuarterRow(
                quarter=q,
                due_on=due_on,
                current=current,
                draft=draft,
                versions=mine,
                state=quarter_state(quarter_end=q.end, due_on=due_on, current=current, today=today),
                estimate=estimate,
            )  # fmt: skip
        )
    return rows


@dataclass(frozen=True)
class PremiumPosition:
    """What the insured owes and has paid on one policy year (SPEC 6)."""

    minimum_premium: Decimal
    declared_turnover: Decimal
    estimated_turnover: Decimal
    premium_to_date: Decimal
    adjustment_to_date: Decimal
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    refunded: Decimal
    balance: Decimal
    overdue: Decimal


def premium_position(policy: Policy, *, user) -> PremiumPosition:
    """The premium account at a glance: premium on what is declared so far and the
    adjustment it would give, what was invoiced and paid, the balance owed."""
    declared = (
        declarations_visible_to(user)
        .filter(policy=policy, status=DeclarationStatus.SUBMITTED)
        .aggregate(total=Sum("turnover"))["total"]
        or ZERO
    )
    premium = rules.premium(turnover=declared, rate_percent=policy.premium_rate_percent)
    credit, overdue = Q(kind=DebitNoteKind.CREDIT_NOTE), Q(status=DebitNoteStatus.OVERDUE)
    totals = (
        debit_notes_visible_to(user)
        .filter(policy=policy)
        .exclude(status=DebitNoteStatus.CANCELLED)
        .aggregate(
            invoiced=Sum("amount", filter=~credit, default=ZERO),
            paid=Sum("paid_amount", filter=~credit, default=ZERO),
            credited=Sum("amount", filter=credit, default=ZERO),
            refunded=Sum("paid_amount", filter=credit, default=ZERO),
            overdue=Sum(F("amount") - F("paid_amount"), filter=~credit & overdue, default=ZERO),
        )
    )
    invoiced, paid = totals["invoiced"], totals["paid"]
    credited, refunded = totals["credited"], totals["refunded"]
    return PremiumPosition(
        minimum_premium=policy.minimum_premium,
        declared_turnover=declared,
        estimated_turnover=policy.estimated_annual_turnover,
        premium_to_date=premium,
        adjustment_to_date=rules.year_end_adjustment(
            premium=premium, minimum_premium=policy.minimum_premium
        ),
        invoiced=invoiced,
        credited=credited,
        paid=paid,
        refunded=refunded,
        balance=(invoiced - paid) - (credited - refunded),
        overdue=totals["overdue"],
    )


def overdue_debit_notes(user) -> QuerySet[DebitNote]:
    return debit_notes_visible_to(user).filter(status=DebitNoteStatus.OVERDUE).order_by("due_on")


def unpaid_debit_notes(user) -> QuerySet[DebitNote]:
    return debit_notes_visible_to(user).filter(status__in=UNPAID_STATUSES)
