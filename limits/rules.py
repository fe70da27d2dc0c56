"""Credit-limit arithmetic (SPEC 5): plain functions on plain values, no ORM."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from core.money import to_cents
from core.texts import Text
from limits import texts
from limits.choices import Outcome, ResponseCode

DAYS_PER_YEAR = Decimal(360)
PENDING_ORDERS_REQUEST_DAYS = 8
PENDING_ORDERS_CONTRACT_MONTHS = 6
PENDING_ORDERS_COVER_MONTHS = 3
NEGATIVE_INFORMATION_MONTHS = 12

ERROR_PENDING_LATE = _("The request must be made in writing within 8 days after the notice.")
ERROR_PENDING_CONTRACT = _("Only contracts signed within the 6 months before the notice count.")
ERROR_PENDING_OVERDUE = _("The buyer is already overdue: pending orders are not covered.")


def add_months(day: date, months: int) -> date:
    """Calendar months later (or earlier), clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def turnover_method_limit(*, annual_credit_sales: Decimal, credit_days: int) -> Decimal:
    """SPEC 5 turnover method: annual credit sales ÷ (360 ÷ credit days).

    6,000,000 a year on 60 days → 1,000,000.
    """
    if credit_days <= 0:
        raise ValueError("credit_days must be positive")
    return to_cents(annual_credit_sales * credit_days / DAYS_PER_YEAR)


@dataclass(frozen=True)
class Movement:
    on: date
    kind: str  # "invoice" or "payment"
    amount: Decimal


def peak_outstanding(movements: list[Movement]) -> tuple[Decimal, date | None]:
    """SPEC 5 peak-outstanding method: replay invoices and payments in date order and
    return the highest outstanding balance and the day it was reached.

    On one day invoices are booked before payments, so a same-day settlement still
    shows the exposure the buyer carried (the prudent reading).
    """
    balance = Decimal(0)
    peak, peak_on = Decimal(0), None
    order = {"invoice": 0, "payment": 1}
    for movement in sorted(movements, key=lambda m: (m.on, order[m.kind])):
        if movement.kind == "invoice":
            balance += movement.amount
        elif movement.kind == "payment":
            balance -= movement.amount
        else:
            raise ValueError(f"unknown movement kind {movement.kind!r}")
        if balance > peak:
            peak, peak_on = balance, movement.on
    return to_cents(peak), peak_on


def response_for(
    *, outcome: str, requested: Decimal | None, amount: Decimal | None, conditional: bool
) -> str:
    """Map an underwriter's outcome to the RECECO response code (4507)."""
    if outcome == Outcome.REFUSE:
        return ResponseCode.NOT_APPROVED
    if outcome == Outcome.PARTIAL or (requested is not None and amount < requested):
        return ResponseCode.PARTLY_APPROVED
    if conditional:
        return ResponseCode.CONDITIONAL
    return ResponseCode.APPROVED


def within_capacity(*, exposure_after: Decimal, capacity: Decimal | None) -> bool:
    """SPEC 4: no decision may take the buyer's aggregate exposure above its capacity."""
    return capacity is not None and exposure_after <= capacity


@dataclass(frozen=True)
class AutoDecisionInput:
    enabled: bool
    risk_grade: int
    grade_max_amount: Decimal | None
    requested_amount: Decimal
    payment_terms_days: int
    max_payment_terms_days: int
    excluded: bool
    has_recent_negative_event: bool
    capacity: Decimal | None
    exposure_after: Decimal
    headroom_percent: Decimal


def auto_decision(data: AutoDecisionInput) -> tuple[bool, Text]:
    """Whether the rule set decides this application at once, and which rule said so.

    Returns (True, note) to approve automatically, (False, note) to send to the queue.
    The rule set never refuses: a refusal is always an underwriter's. The note is a code
    with the figures compared (core.texts), kept on the application and the decision and
    rendered in the reader's language; insureds read it without the insurer's figures.
    """
    values = {
        "grade": data.risk_grade, "amount": data.requested_amount,
        "maximum": data.grade_max_amount, "days": data.max_payment_terms_days,
        "headroom": data.headroom_percent, "share": Decimal(100) - data.headroom_percent,
        "capacity": data.capacity, "exposure": data.exposure_after,
    }  # fmt: skip
    allowed = (
        data.capacity * (Decimal(100) - data.headroom_percent) / Decimal(100)
        if data.capacity is not None
        else None
    )
    checks = [
        (not data.enabled, texts.AUTO_OFF),
        (data.excluded, texts.AUTO_EXCLUDED),
        (data.has_recent_negative_event, texts.AUTO_NEGATIVE),
        (data.grade_max_amount is None, texts.AUTO_NO_GRADE_RULE),
        (data.grade_max_amount is not None and data.requested_amount > data.grade_max_amount,
         texts.AUTO_ABOVE_MAXIMUM),
        (data.payment_terms_days > data.max_payment_terms_days, texts.AUTO_TERMS),
        (data.capacity is None, texts.AUTO_NO_CAPACITY),
        (allowed is not None and data.exposure_after > allowed, texts.AUTO_HEADROOM),
    ]  # fmt: skip
    for failed, text in checks:
        if failed:
            return False, text(**values)
    return True, texts.AUTO_APPROVED(**values)


def pending_orders_refusals(
    *,
    notice_on: date,
    requested_on: date,
    contract_signed_on: date,
    buyer_overdue: bool,
) -> dict:
    """SPEC 5 pending-orders clause: the reasons a request fails, keyed by field.

    Asked in writing within 8 days of the notice, for a contract signed within the
    6 months before the notice, and not for a buyer already overdue.
    """
    refusals = {}
    if requested_on < notice_on or requested_on > notice_on + timedelta(
        days=PENDING_ORDERS_REQUEST_DAYS
    ):
        refusals["requested_on"] = ERROR_PENDING_LATE
    earliest = add_months(notice_on, -PENDING_ORDERS_CONTRACT_MONTHS)
    if not (earliest <= contract_signed_on <= notice_on):
        refusals["contract_signed_on"] = ERROR_PENDING_CONTRACT
    if buyer_overdue:
        refusals["buyer"] = ERROR_PENDING_OVERDUE
    return refusals


def pending_orders_cover_until(notice_on: date) -> date:
    """Deliveries are covered for 3 months after the notice."""
    return add_months(notice_on, PENDING_ORDERS_COVER_MONTHS)


def earlier_shipments_covered(
    *, first_shipment_on: date | None, applied_on: date, application_days: int
) -> tuple[bool, date] | None:
    """SPEC 5 and 3.2: shipments made before a limit exists are covered only if the
    application comes within the limit-application deadline (15 days after the first
    uncovered shipment by default). Returns (covered, deadline), or None when no
    shipment preceded the application."""
    if first_shipment_on is None or first_shipment_on >= applied_on:
        return None
    deadline = first_shipment_on + timedelta(days=application_days)
    return applied_on <= deadline, deadline
