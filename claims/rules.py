"""The claim rules of SPEC 3.2, 3.4 and 7 as plain functions on plain values.

No database here: the services gather the facts (the limit on each shipment date from the
limit history, the suspension days, the recoveries) and these functions do the
arithmetic, so that every figure of the worksheet can be tested with SPEC's examples and
shown step by step.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from claims.choices import Exclusion
from core.money import ZERO, to_cents
from limits.rules import add_months

HUNDRED = Decimal(100)


# --- deadlines (SPEC 3.2) ----------------------------------------------------------------


def notice_deadline(
    *, original_due_dates: list[date], extended_due_dates: list[date | None],
    notice_days: int, after_extension_days: int, missed_instalments: list[date] = (),
) -> date | None:  # fmt: skip
    """The overdue-notice deadline of an account: for each invoice, `notice_days` after its
    original due date, or within `after_extension_days` of an extended due date, whichever
    comes first; the earliest over the invoices. A missed repayment-plan instalment brings
    it forward to `after_extension_days` after the missed date (SPEC 7).

    60 days after 31 March is 30 May; extended to 15 April, the notice is due 25 April.
    """
    candidates = []
    for original, extended in zip(original_due_dates, extended_due_dates, strict=True):
        due = original + timedelta(days=notice_days)
        if extended is not None:
            due = min(due, extended + timedelta(days=after_extension_days))
        candidates.append(due)
    candidates += [missed + timedelta(days=after_extension_days) for missed in missed_instalments]
    return min(candidates, default=None)


def max_extended_due_date(original_due_date: date, max_extension_days: int) -> date:
    """The latest due date the insured may agree without the insurer (SPEC 3.2)."""
    return original_due_date + timedelta(days=max_extension_days)


def claim_filing_deadline(
    original_due_date: date, *, max_extension_days: int, filing_months: int
) -> date:
    """Claim filing: `filing_months` after the end of the maximum extension period."""
    return add_months(max_extended_due_date(original_due_date, max_extension_days), filing_months)


def days_late(filed_on: date, deadline_on: date | None) -> int:
    if deadline_on is None or filed_on <= deadline_on:
        return 0
    return (filed_on - deadline_on).days


# --- the indemnity worksheet (SPEC 7) ----------------------------------------------------


@dataclass(frozen=True)
class InvoiceFacts:
    """What the cover test needs to know of one unpaid invoice."""

    key: object
    number: str
    amount: Decimal
    invoice_date: date
    shipment_date: date
    original_due_date: date
    # The limit that covered shipments to the buyer on the shipment date (limit history),
    # None when none did.
    limit_on_shipment: Decimal | None
    # The limit's payment-terms condition (SPEC 5: a maximum number of days), if any.
    limit_payment_terms_days: int | None = None
    policy_suspended: bool = False
    disputed: bool = False


@dataclass(frozen=True)
class CoverTerms:
    notice_filed_on: date
    invoice_deadline_days: int
    max_credit_period_days: int
    excluded_buyer: bool = False


@dataclass(frozen=True)
class Line:
    facts: InvoiceFacts
    covered: bool
    exclusion: str = ""


def invoice_exclusion(facts: InvoiceFacts, terms: CoverTerms) -> str:
    """Why one invoice is out of cover, or "" (SPEC 7 step 1, 3.4), checked in the order
    a claims handler reads the file: the buyer, the dates, the limit, the terms."""
    if terms.excluded_buyer:
        return Exclusion.EXCLUDED_BUYER
    if facts.shipment_date > terms.notice_filed_on:
        return Exclusion.AFTER_NOTICE
    if facts.policy_suspended:
        return Exclusion.POLICY_SUSPENDED
    if facts.limit_on_shipment is None:
        return Exclusion.NO_LIMIT
    if (facts.invoice_date - facts.shipment_date).days > terms.invoice_deadline_days:
        return Exclusion.INVOICED_LATE
    credit_days = (facts.original_due_date - facts.invoice_date).days
    allowed = terms.max_credit_period_days
    if facts.limit_payment_terms_days is not None:
        allowed = min(allowed, facts.limit_payment_terms_days)
    if credit_days > allowed:
        return Exclusion.CREDIT_PERIOD
    if facts.disputed:
        return Exclusion.DISPUTED
    return ""


def cover_lines(invoices: list[InvoiceFacts], terms: CoverTerms) -> list[Line]:
    """Each invoice in or out with its reason, in shipment order.

    A limit cut applies to shipments after it (SPEC 3.4, 5): an invoice shipped under a
    lower limit than an earlier covered shipment had is covered only if the covered
    invoices shipped up to that day still fit under the reduced limit; otherwise it is
    out as shipped after a limit cut. Shipments under the old limit stay covered by it.
    """
    lines, covered_so_far, highest_limit = [], ZERO, None
    for facts in sorted(invoices, key=lambda f: (f.shipment_date, f.number)):
        exclusion = invoice_exclusion(facts, terms)
        cut = (
            highest_limit is not None and not exclusion and facts.limit_on_shipment < highest_limit
        )
        if cut and covered_so_far + facts.amount > facts.limit_on_shipment:
            exclusion = Exclusion.AFTER_LIMIT_CUT
        if exclusion:
            lines.append(Line(facts, covered=False, exclusion=exclusion))
            continue
        lines.append(Line(facts, covered=True))
        covered_so_far += facts.amount
        highest_limit = max(highest_limit or ZERO, facts.limit_on_shipment)
    return lines


@dataclass(frozen=True)
class Indemnity:
    """Every step of SPEC 7's arithmetic, as the worksheet shows it."""

    lines: list[Line]
    outstanding: Decimal
    covered_debt: Decimal
    recoveries: Decimal
    other_credits: Decimal
    net_loss: Decimal
    franchise: Decimal
    below_franchise: bool
    limit_amount: Decimal
    loss_within_limit: Decimal
    indemnity_percentage: Decimal
    indemnity_before_cap: Decimal
    remaining_liability: Decimal
    indemnity: Decimal
    capped: bool = field(default=False)


def indemnity(
    *, lines: list[Line], recoveries: Decimal, other_credits: Decimal, franchise: Decimal,
    indemnity_percentage: Decimal, remaining_liability: Decimal,
) -> Indemnity:  # fmt: skip
    """SPEC 7 steps 1–4.

    1. covered debt = the covered invoices;
    2. net loss = covered debt − recoveries − other credits;
    3. at or below the franchise nothing is paid (above it nothing is deducted);
    4. indemnity = min(net loss, limit) × indemnity percentage, rounded half-up to the
       cent, never more than what remains of the policy year's maximum liability.

    The limit is the highest one that covered a covered invoice's shipment date.
    2,500,000 unpaid, limit 1,000,000, recovered 1,000,000: net 1,500,000 → 900,000.
    """
    covered = [line for line in lines if line.covered]
    outstanding = sum((line.facts.amount for line in lines), ZERO)
    covered_debt = sum((line.facts.amount for line in covered), ZERO)
    net_loss = covered_debt - recoveries - other_credits
    limit_amount = max((line.facts.limit_on_shipment for line in covered), default=ZERO)
    below_franchise = net_loss <= franchise
    loss_within_limit = ZERO if below_franchise else min(net_loss, limit_amount)
    before_cap = to_cents(loss_within_limit * indemnity_percentage / HUNDRED)
    remaining = max(remaining_liability, ZERO)
    paid = min(before_cap, remaining)
    return Indemnity(
        lines=lines, outstanding=outstanding, covered_debt=covered_debt, recoveries=recoveries,
        other_credits=other_credits, net_loss=net_loss, franchise=franchise,
        below_franchise=below_franchise, limit_amount=limit_amount,
        loss_within_limit=loss_within_limit, indemnity_percentage=indemnity_percentage,
        indemnity_before_cap=before_cap, remaining_liability=remaining, indemnity=paid,
        capped=paid < before_cap,
    )  # fmt: skip


def recovery_shares(
    amount: Decimal, indemnity_percentage: Decimal, *, insurer_at_most: Decimal | None = None
) -> tuple[Decimal, Decimal]:
    """A recovery after payment, shared insurer : insured as the indemnity percentage
    (90 : 10); the insurer's share is rounded half-up, the insured keeps the rest, so the
    two always add up to the cent (SPEC 7). The insurer never recovers more than it paid
    (`insurer_at_most`): when the limit or the maximum liability capped the indemnity,
    what is recovered beyond the indemnity is the insured's uninsured loss."""
    insurer = to_cents(amount * indemnity_percentage / HUNDRED)
    if insurer_at_most is not None:
        insurer = max(min(insurer, insurer_at_most), ZERO)
    return insurer, amount - insurer


def waiting_period_end(documents_complete_on: date, months: int) -> date:
    """Protracted default: the waiting period runs `months` from complete documents."""
    return add_months(documents_complete_on, months)
