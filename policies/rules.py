"""Policy arithmetic and underwriting guidelines: plain functions on plain values."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.choices import EXCLUDED_INSURED_INDUSTRIES, NON_MAINLAND_PROVINCES
from core.money import to_cents
from policies.choices import CoverType, EligibilityCode

MINIMUM_PREMIUM_SHARE = Decimal("0.80")
MIN_INSURED_AGE_YEARS = 3
MIN_ANNUAL_CREDIT_TURNOVER = Decimal("30000000")
MIN_BUYER_COUNT = 3
MIN_SELECTIVE_SHARE_PERCENT = Decimal("60")


def minimum_premium(
    *, estimated_annual_turnover: Decimal, premium_rate_percent: Decimal
) -> Decimal:
    """SPEC 3.2: estimated annual insured turnover × rate × 80%.

    50,000,000 at 0.5% → 200,000; at 0.42% → 168,000 (SPEC 6).
    """
    return to_cents(
        estimated_annual_turnover * premium_rate_percent / Decimal(100) * MINIMUM_PREMIUM_SHARE
    )


def maximum_liability(*, minimum_premium: Decimal, multiple: int) -> Decimal:
    """SPEC 3.2: a multiple (default 50) of the minimum premium, stored as an amount."""
    return to_cents(minimum_premium * multiple)


def instalment_amounts(*, minimum_premium: Decimal, count: int) -> list[Decimal]:
    """SPEC 3.2: the minimum premium in equal instalments; the last takes the odd cents.

    200,000 in 4 → 4 × 50,000 (SPEC 6).
    """
    base = to_cents(minimum_premium / count)
    return [base] * (count - 1) + [minimum_premium - base * (count - 1)]


def years_between(start: date, end: date) -> int:
    """Whole years from start to end (birthday arithmetic, 29 February safe)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


@dataclass(frozen=True)
class EligibilityFacts:
    region: str
    founded_on: date | None
    has_parent_in_same_business: bool
    industry: str
    annual_credit_turnover: Decimal
    buyer_count: int
    cover_type: str
    selective_share_percent: Decimal | None
    selection_criterion: str
    assessed_on: date


def eligibility_warnings(facts: EligibilityFacts) -> list[str]:
    """SPEC 3.1: the guideline codes the proposal breaks (empty when it meets them all)."""
    warnings = []
    if not facts.region or facts.region in NON_MAINLAND_PROVINCES:
        warnings.append(EligibilityCode.NOT_MAINLAND)
    too_young = (
        facts.founded_on is None
        or years_between(facts.founded_on, facts.assessed_on) < MIN_INSURED_AGE_YEARS
    )
    if too_young and not facts.has_parent_in_same_business:
        warnings.append(EligibilityCode.TOO_YOUNG)
    if facts.annual_credit_turnover < MIN_ANNUAL_CREDIT_TURNOVER:
        warnings.append(EligibilityCode.LOW_TURNOVER)
    if facts.industry in EXCLUDED_INSURED_INDUSTRIES:
        warnings.append(EligibilityCode.EXCLUDED_INDUSTRY)
    if facts.buyer_count < MIN_BUYER_COUNT:
        warnings.append(EligibilityCode.FEW_BUYERS)
    if facts.cover_type == CoverType.SELECTIVE:
        share = facts.selective_share_percent
        if share is None or share < MIN_SELECTIVE_SHARE_PERCENT:
            warnings.append(EligibilityCode.SELECTIVE_SHARE)
        if not facts.selection_criterion:
            warnings.append(EligibilityCode.SELECTIVE_CRITERION)
    return [str(code) for code in warnings]


def next_period(*, period_end: date) -> tuple[date, date]:
    """The next policy year: starts the day after this one ends, lasts one year."""
    start = period_end + timedelta(days=1)
    try:
        end = period_end.replace(year=period_end.year + 1)
    except ValueError:  # 29 February
        end = period_end.replace(year=period_end.year + 1, day=28)
    return start, end
