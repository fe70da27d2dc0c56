"""The buyers' stored aggregate exposure (SPEC 4, `BuyerExposure`): kept by statement
triggers on the limits, it equals the sum of the current limits after every kind of
write (insert, an amount change, a status change through the transition mechanism, a
bulk move, raw SQL, the owner's delete), and `exposure_rebuild` gives the same figures."""

from datetime import date
from decimal import Decimal

import pgtrigger
import pytest
from django.db import connection
from django.db.models import Count, Sum

from core import transitions
from limits.choices import EXPOSURE_STATUSES, LIMIT_MACHINE, LimitAction, LimitSource
from limits.exposure import exposure_rebuild
from limits.models import BuyerExposure, CreditLimit
from limits.reports import portfolio_report
from limits.services.base import buyer_exposure
from policies.choices import PolicyStatus
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _sums() -> dict[int, tuple[Decimal, int]]:
    rows = (
        CreditLimit.objects.filter(status__in=EXPOSURE_STATUSES)
        .values("buyer_id")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    return {row["buyer_id"]: (row["total"], row["n"]) for row in rows}


def _stored() -> dict[int, tuple[Decimal, int]]:
    return {e.buyer_id: (e.exposure, e.limits) for e in BuyerExposure.objects.filter(limits__gt=0)}


def _limit(policy, buyer, amount: str) -> CreditLimit:
    return CreditLimit.objects.create(
        policy=policy, buyer=buyer, amount=Decimal(amount), payment_terms_days=60,
        source=LimitSource.INSURER, effective_from=date(2026, 1, 1),
    )  # fmt: skip


def _move(limit: CreditLimit, action: str) -> None:
    transitions.transition(
        LIMIT_MACHINE, limit, action, history_fields={"effective_on": date(2026, 9, 15)}
    )


def test_the_stored_totals_follow_every_kind_of_write(insured_a):
    policies = [PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE) for _ in range(3)]
    buyers = [BuyerFactory() for _ in range(3)]
    limits = [
        _limit(policy, buyer, f"{100_000 * (i + 1)}.50")
        for i, (policy, buyer) in enumerate((p, b) for p in policies for b in buyers)
    ]
    assert _stored() == _sums()
    assert buyer_exposure(buyers[0].pk) == Decimal("100000.50") + Decimal("400000.50") + Decimal(
        "700000.50"
    )
    # An amount change, one limit and then many at once.
    CreditLimit.objects.filter(pk=limits[0].pk).update(amount=Decimal("1.01"))
    CreditLimit.objects.filter(buyer=buyers[1]).update(amount=Decimal("2.02"))
    assert _stored() == _sums()
    # Status moves through the transition mechanism.
    _move(limits[1], LimitAction.SUSPEND)
    _move(limits[2], LimitAction.CANCEL)
    assert _stored() == _sums()
    # Raw SQL (the guard's flag set, as the mechanism does): one statement over many rows
    # and buyers, then a delete.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('tci.transition', 'on', true)")
        cursor.execute(
            "UPDATE limits_creditlimit SET status = 'expired', amount = amount + 1 "
            "WHERE id = ANY(%s)",
            [[limits[3].pk, limits[4].pk, limits[5].pk]],
        )
    # Limits are records the database keeps (core/records.py); only the owner may lift
    # that, to purge after the retention period: the totals follow that delete too.
    with pgtrigger.ignore("limits.CreditLimit:record_kept"):
        CreditLimit.objects.filter(pk=limits[8].pk).delete()
    assert _stored() == _sums()
    # buyers[2] had limits 2 (cancelled), 5 (expired) and 8 (deleted): none is left.
    assert (BuyerExposure.objects.get(buyer=buyers[2]).limits, buyer_exposure(buyers[2].pk)) == (
        0,
        0,
    )
    # Rebuilt from the limits themselves: the same figures.
    before = _stored()
    exposure_rebuild()
    assert _stored() == before


def test_the_portfolio_report_adds_up_to_the_limits(insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    other = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    big, small = BuyerFactory(risk_grade=2, region="31"), BuyerFactory(risk_grade=5)
    _limit(policy, big, "3000000.00")
    _limit(other, big, "1500000.25")
    ended = _limit(policy, small, "200000.00")
    _limit(other, small, "100000.00")
    _move(ended, LimitAction.CANCEL)
    report = portfolio_report(top=1)
    assert report.total.exposure == Decimal("4600000.25")
    assert (report.total.buyers, report.total.limits) == (2, 3)
    assert report.by_grade[1].exposure == Decimal("4500000.25")
    assert report.by_grade[4].exposure == Decimal("100000.00")
    assert [(t.buyer_id, t.exposure, t.limits) for t in report.top_buyers] == [
        (big.pk, Decimal("4500000.25"), 2)
    ]
    # A buyer regraded (by any means: the stored copy follows the buyer row).
    type(big).objects.filter(pk=big.pk).update(risk_grade=3, region="44")
    report = portfolio_report()
    assert (report.by_grade[1].exposure, report.by_grade[2].exposure) == (0, Decimal("4500000.25"))
    assert {row.key for row in report.by_region} == {"44"}
