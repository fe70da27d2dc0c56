"""The insurer's portfolio report (SPEC 4, 5; issue 10 B3): exposure over every current
limit, by buyer risk grade, region and industry, and the buyers with the largest
aggregate exposure.

A buyer's aggregate exposure is the sum of its current limits over all policies (SPEC 4;
`limits.services.base.buyer_exposure` for one buyer): limits in `EXPOSURE_STATUSES`,
summed by the database into `limits.models.BuyerExposure`.
Staff only: the figures are the insurer's whole book (SPEC 2), so there is no user scope.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection


@dataclass(frozen=True)
class ExposureRow:
    key: str | int  # the grade, the province code or the industry section
    exposure: Decimal
    buyers: int
    limits: int


@dataclass(frozen=True)
class TopBuyer:
    buyer_id: int
    name: str
    uscc: str
    risk_grade: int
    exposure: Decimal
    limits: int


@dataclass(frozen=True)
class PortfolioReport:
    total: ExposureRow
    by_grade: list[ExposureRow]
    by_region: list[ExposureRow]
    by_industry: list[ExposureRow]
    top_buyers: list[TopBuyer]


# One statement over the buyers' stored totals (`BuyerExposure`, kept by triggers on the
# limits and the buyers with the buyer's grade, region and industry): one narrow row per
# buyer with a current limit, no limit and no buyer read, for the four groupings
# (GROUPING SETS, which the ORM does not have); the top buyers come from the index on
# (exposure, buyer) and alone are joined to the buyers for their names. Measured in
# benchmarks/exposure.py against the bare GROUP BY of the limits joined to the buyers.
_REPORT = """
    SELECT grouping(risk_grade, region, industry), risk_grade, region, industry,
           sum(exposure), count(*), sum(limits), NULL::bigint, NULL, NULL
    FROM limits_buyerexposure WHERE limits > 0
    GROUP BY GROUPING SETS ((risk_grade), (region), (industry), ())
    UNION ALL
    (SELECT %(top_level)s, e.risk_grade, NULL, NULL, e.exposure, 1, e.limits, e.buyer_id,
            b.name, b.uscc
     FROM limits_buyerexposure e JOIN buyers_buyer b ON b.id = e.buyer_id
     WHERE e.limits > 0 ORDER BY e.exposure DESC, e.buyer_id LIMIT %(top)s)
"""
# grouping() bit mask over (risk_grade, region, industry): 0 marks a grouped column.
_LEVELS = {0b011: "grade", 0b101: "region", 0b110: "industry", 0b111: "total"}
_TOP_LEVEL = 8  # not a grouping() value: marks the top buyers' rows


def portfolio_report(*, top: int = 100) -> PortfolioReport:
    """Exposure of the whole book (SPEC 4): the total, by risk grade (1-10, each grade
    listed even when empty), by region and by industry (largest first), and the `top`
    buyers by aggregate exposure (largest first, ties by id). Each row says how many
    buyers and current limits make it up."""
    params = {"top": top, "top_level": _TOP_LEVEL}
    groups: dict[str, list[ExposureRow]] = {level: [] for level in _LEVELS.values()}
    top_buyers = []
    with connection.cursor() as cursor:
        cursor.execute(_REPORT, params)
        rows = cursor.fetchall()
    for level, grade, region, industry, exposure, buyers, limits, buyer_id, name, uscc in rows:
        if level == _TOP_LEVEL:
            top_buyers.append(TopBuyer(buyer_id, name, uscc, grade, exposure, limits))
            continue
        kind = _LEVELS[level]
        key = {"grade": grade, "region": region, "industry": industry}.get(kind, "")
        groups[kind].append(ExposureRow(key, exposure or Decimal(0), buyers, limits or 0))
    top_buyers.sort(key=lambda row: (-row.exposure, row.buyer_id))
    graded = {row.key: row for row in groups["grade"]}
    by_grade = [graded.get(g) or ExposureRow(g, Decimal(0), 0, 0) for g in range(1, 11)]

    def largest_first(rows):
        return sorted(rows, key=lambda row: (-row.exposure, row.key))

    total = groups["total"][0] if groups["total"] else ExposureRow("", Decimal(0), 0, 0)
    return PortfolioReport(
        total=total,
        by_grade=by_grade,
        by_region=largest_first(groups["region"]),
        by_industry=largest_first(groups["industry"]),
        top_buyers=top_buyers,
    )
