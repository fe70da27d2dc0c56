"""Buyers' stored aggregate exposure (SPEC 4; `limits.models.BuyerExposure`)."""

from django.db import connection

from limits.choices import EXPOSURE_STATUSES

_REBUILD = """
    INSERT INTO limits_buyerexposure (buyer_id, exposure, limits, risk_grade, region, industry)
    SELECT b.id, sum(l.amount), count(*), b.risk_grade, b.region, b.industry
    FROM limits_creditlimit l JOIN buyers_buyer b ON b.id = l.buyer_id
    WHERE l.status = ANY(%s) GROUP BY b.id ORDER BY b.id
"""


def exposure_rebuild() -> int:
    """Recompute every buyer's total from the limits themselves, in the caller's
    transaction: for loaders that COPY limits with the triggers off (scale data,
    benchmarks), and the migration that introduced the table. Returns the buyers with a
    current limit."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM limits_buyerexposure")
        cursor.execute(_REBUILD, [sorted(EXPOSURE_STATUSES)])
        return cursor.rowcount
