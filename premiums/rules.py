"""Premium arithmetic (SPEC 3.2, 3.3, 6): plain functions on plain values, no database.

Every amount is a Decimal rounded half-up to the cent (`core.money.to_cents`), as
Chinese invoices are; rounding happens once, on the amount that is invoiced.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.money import ZERO, to_cents
from limits.rules import add_months

# SPEC 3.3: an instalment more than 30 days overdue suspends the policy.
SUSPENSION_AFTER_DAYS_OVERDUE = 30
# Debit notes other than instalments are payable within this many days of issue.
PAYMENT_TERM_DAYS = 30


@dataclass(frozen=True)
class Quarter:
    index: int  # 1-based
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"Q{self.index}"


# A remainder this short after the last whole quarter belongs to that quarter, not to a
# quarter of its own: a year from 29 February ends on 28 February, a day after four
# quarters (and 2026-01-01..2027-01-01 is a year and a day).
QUARTER_TAIL_DAYS = 7


def policy_quarters(*, period_start: date, period_end: date) -> list[Quarter]:
    """The policy's own quarters: three months each from the policy's start, the last one
    ending with the policy (a policy starting 2026-04-01 has April–June first)."""
    quarters, index, start = [], 1, period_start
    while start <= period_end:
        end = add_months(period_start, 3 * index) - timedelta(days=1)
        if end >= period_end - timedelta(days=QUARTER_TAIL_DAYS):
            end = period_end
        quarters.append(Quarter(index, start, end))
        index += 1
        start = end + timedelta(days=1)
    return quarters


def declaration_due_on(*, quarter_end: date, deadline_days: int) -> date:
    """SPEC 3.2: the declaration is due 15 days (by default) after the quarter ends."""
    return quarter_end + timedelta(days=deadline_days)


def days_late(*, submitted_on: date, due_on: date) -> int:
    return max(0, (submitted_on - due_on).days)


@dataclass(frozen=True)
class Instalment:
    sequence: int
    due_on: date
    amount: Decimal


def instalments(
    *, minimum_premium: Decimal, count: int, period_start: date, period_end: date
) -> list[Instalment]:
    """SPEC 3.2: the minimum premium in `count` equal instalments, due at the start of
    each policy quarter for 4 (each 12/count months in general); the last takes the odd
    cents. 200,000 in 4 → 4 × 50,000 due on the first day of each quarter (SPEC 6)."""
    base = to_cents(minimum_premium / count)
    amounts = [base] * (count - 1) + [minimum_premium - base * (count - 1)]
    starts = [q.start for q in policy_quarters(period_start=period_start, period_end=period_end)]

    def due(i: int) -> date:
        # The start of the quarter the instalment falls in: on a policy shorter than a
        # year, the instalments after its last quarter began are due when that one begins.
        target = add_months(period_start, 12 * i // count)
        return max(start for start in starts if start <= target)

    return [Instalment(i + 1, due(i), amount) for i, amount in enumerate(amounts)]


def premium(*, turnover: Decimal, rate_percent: Decimal) -> Decimal:
    """SPEC 6: premium = declared insured turnover × rate. 60,000,000 at 0.5% → 300,000."""
    return to_cents(turnover * rate_percent / Decimal(100))


def year_end_adjustment(*, premium: Decimal, minimum_premium: Decimal) -> Decimal:
    """SPEC 6: max(0, premium − minimum premium); the minimum is never refunded.

    Minimum 200,000: premium 300,000 → 100,000; premium 150,000 → 0.
    Minimum 168,000 (0.42%): declared 80,000,000 → premium 336,000 → 168,000.
    """
    return max(ZERO, premium - minimum_premium)


def adjustment_correction(*, adjustment: Decimal, invoiced: Decimal) -> Decimal:
    """What a correction after the year-end adjustment invoices: the adjustment now due
    less what the earlier notes already invoiced (net of credit notes). Positive: a new
    debit note; negative: a credit note; zero: nothing."""
    return adjustment - invoiced


def chargeable_limit_fee_buyers(
    *, assessments: list[tuple[int, date]], inception: date, free_count: int
) -> list[int]:
    """SPEC 3.2: a limit fee for every buyer with a limit in the policy year, except the
    first `free_count` (10) buyers assessed at inception (a limit in effect from the
    policy's first day). `assessments` are (buyer id, first day its limit applied)."""
    ordered = sorted(assessments, key=lambda row: (row[1], row[0]))
    at_inception = [buyer for buyer, on in ordered if on <= inception]
    free = set(at_inception[:free_count])
    return [buyer for buyer, _ in ordered if buyer not in free]


def suspends_policy(*, due_on: date, today: date) -> bool:
    """SPEC 3.3: more than 30 days overdue, i.e. from the 31st day after the due date."""
    return (today - due_on).days > SUSPENSION_AFTER_DAYS_OVERDUE


def status_after_payment(*, amount: Decimal, paid: Decimal) -> str:
    """'paid' once the whole amount is in, else 'part'."""
    return "paid" if paid >= amount else "part"


def quarter_estimate(*, estimated_annual_turnover: Decimal, quarters: int) -> Decimal:
    """The estimated insured turnover of one quarter, to compare declarations with."""
    return to_cents(estimated_annual_turnover / quarters) if quarters else ZERO
