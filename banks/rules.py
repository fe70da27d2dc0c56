"""The financing rule of SPEC 8, as a plain function."""

from decimal import Decimal

from core.money import to_cents


def financing_capacity(
    *, receivables: Decimal | None, limit: Decimal | None, indemnity_percentage: Decimal,
    remaining_liability: Decimal,
) -> Decimal | None:  # fmt: skip
    """What a bank can lend against one buyer's receivables (SPEC 8):
    min(receivables × indemnity %, buyer limit × indemnity %, remaining maximum liability).

    1,000,000 × 90% = 900,000; 1,200,000 × 90% = 1,080,000; remaining liability 850,000
    → 850,000. Without receivables reported there is nothing to lend against yet (None);
    without a limit in force, nothing is covered (0).
    """
    if receivables is None:
        return None
    share = indemnity_percentage / Decimal(100)
    insured_limit = limit or Decimal(0)
    return max(
        min(to_cents(receivables * share), to_cents(insured_limit * share), remaining_liability),
        Decimal(0),
    )
