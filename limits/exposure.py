"""Buyers' stored aggregate exposure (SPEC 4; `limits.models.BuyerExposure`)."""

from django.db import connection

from limits.choices import EXPOSURE_STATUSES

_REBUILD = """
    INSERT INTO limits_buyerexposure (buyer_id, exposure, limits)
    SELECT buyer_id, sum(amount), count(*) FROM limits_creditlimit
    WHERE status = ANY(%s) GROUP BY buyer_id ORDER BY buyer_id
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
