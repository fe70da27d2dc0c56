"""Role-scoped reads of credit limits (SPEC 2, 5)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from buyers.models import BuyerCapacity, NegativeEvent
from core import scope
from limits.choices import (
    EXPOSURE_STATUSES,
    OPEN_APPLICATION_STATUSES,
    QUEUE_STATUSES,
    ApplicationStatus,
    LimitAction,
    LimitSource,
    LimitStatus,
    PendingOrdersStatus,
)
from limits.models import (
    CreditLimit,
    CreditLimitChange,
    LimitApplication,
    LimitDecision,
    LimitReview,
    PendingOrdersCover,
)
from policies.choices import LIVE_STATUSES


def credit_limits_visible_to(user) -> QuerySet[CreditLimit]:
    return scope.visible(user, CreditLimit).select_related("policy", "buyer", "policy__insured")


def applications_visible_to(user) -> QuerySet[LimitApplication]:
    return scope.visible(user, LimitApplication).select_related(
        "policy", "buyer", "policy__insured"
    )


def decisions_visible_to(user) -> QuerySet[LimitDecision]:
    return scope.visible(user, LimitDecision).select_related(
        "policy", "buyer", "decided_by", "approved_by"
    )


def reviews_visible_to(user) -> QuerySet[LimitReview]:
    return scope.visible(user, LimitReview).select_related(
        "credit_limit__policy", "credit_limit__buyer", "negative_event"
    )


def pending_orders_visible_to(user) -> QuerySet[PendingOrdersCover]:
    return scope.visible(user, PendingOrdersCover).select_related("credit_limit__buyer", "decision")


def buyer_exposure_summary(*, buyer, user) -> dict:
    """Aggregate exposure (sum of current limits over all policies), capacity and headroom.

    Staff see the insurer's whole exposure; others only the limits they may see.
    """
    limits = scope.visible(user, CreditLimit).filter(buyer=buyer, status__in=EXPOSURE_STATUSES)
    exposure = limits.aggregate(total=Sum("amount"))["total"] or 0
    summary = {"exposure": exposure, "limits": limits.select_related("policy")}
    if user.is_insurer_staff:
        capacity = BuyerCapacity.objects.filter(risk_grade=buyer.risk_grade).first()
        summary["capacity"] = capacity.max_exposure if capacity else None
        summary["headroom"] = (capacity.max_exposure - exposure) if capacity else None
    return summary


def exposure_by_grade() -> list[dict]:
    """The insurer's current limits summed by buyer risk grade (staff home chart)."""
    totals = dict(
        CreditLimit.objects.filter(status__in=EXPOSURE_STATUSES)
        .order_by()  # the model's default ordering would split the groups
        .values_list("buyer__risk_grade")
        .annotate(total=Sum("amount"))
        .values_list("buyer__risk_grade", "total")
    )
    return [{"grade": grade, "exposure": str(totals.get(grade, 0))} for grade in range(1, 11)]


def decision_queue(user) -> QuerySet[LimitApplication]:
    """Open applications oldest first, with what the underwriter needs beside each one
    (SPEC 5): the buyer's aggregate exposure, its capacity and events, the insured's
    other limits. Annotated in one query, so the queue does not grow queries with rows.
    """
    exposure = (
        CreditLimit.objects.filter(buyer=OuterRef("buyer_id"), status__in=EXPOSURE_STATUSES)
        .values("buyer")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    capacity = BuyerCapacity.objects.filter(risk_grade=OuterRef("buyer__risk_grade")).values(
        "max_exposure"
    )[:1]
    events = (
        NegativeEvent.objects.filter(buyer=OuterRef("buyer_id"))
        .values("buyer")
        .annotate(n=Count("id"))
        .values("n")
    )
    insured_limits = (
        CreditLimit.objects.filter(
            policy__insured_id=OuterRef("policy__insured_id"), status__in=EXPOSURE_STATUSES
        )
        .values("policy__insured_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        applications_visible_to(user)
        .filter(status__in=QUEUE_STATUSES)
        .annotate(
            exposure=Coalesce(Subquery(exposure), Value(Decimal(0))),
            capacity=Subquery(capacity),
            event_count=Coalesce(Subquery(events), Value(0)),
            insured_exposure=Coalesce(Subquery(insured_limits), Value(Decimal(0))),
        )
        .annotate(remaining_capacity=F("capacity") - F("exposure"))
        .order_by("submitted_at", "id")
    )


def limit_history(limit: CreditLimit, user=None) -> QuerySet[CreditLimitChange]:
    """Every change of the limit's amount or status, in date order (SPEC 5); a renewed
    limit's history starts with the year it was carried over from."""
    chain = [limit.pk]
    source = limit.carried_over_from_id
    while source is not None:
        chain.append(source)
        source = CreditLimit.objects.values_list("carried_over_from_id", flat=True).get(pk=source)
    changes = (
        CreditLimitChange.objects.all() if user is None else scope.visible(user, CreditLimitChange)
    )
    return (
        changes.filter(credit_limit_id__in=chain)
        .select_related("actor", "credit_limit__policy")
        .order_by("effective_on", "created_at", "id")
    )


def limit_amount_on(*, policy_id: int, buyer_id: int, on: date) -> Decimal | None:
    """Which amount covered shipments to `buyer` under `policy` on day `on` (SPEC 5, 7).

    The history row in force that day is the last one effective on or before it (rows
    are written when a change is made, with the first shipment day it applies to); a
    suspended or ended limit covers nothing, nor does a day outside the policy period.
    Claims ask this for every invoice's shipment date.
    """
    change = (
        CreditLimitChange.objects.filter(
            credit_limit__policy_id=policy_id,
            credit_limit__buyer_id=buyer_id,
            effective_on__lte=on,
            credit_limit__policy__period_start__lte=on,
            credit_limit__policy__period_end__gte=on,
        )
        .order_by("-effective_on", "-created_at", "-id")
        .only("to_status", "amount")
        .first()
    )
    if change is None or change.to_status != LimitStatus.ACTIVE:
        return None
    return change.amount


@dataclass(frozen=True)
class ShipmentCover:
    """The limit covering one shipment: its amount and its payment-terms condition."""

    amount: Decimal
    payment_terms_days: int | None


def _change_on(policy_id: int, buyer_id: int, on: date) -> CreditLimitChange | None:
    return (
        CreditLimitChange.objects.filter(
            credit_limit__policy_id=policy_id, credit_limit__buyer_id=buyer_id,
            effective_on__lte=on, credit_limit__policy__period_start__lte=on,
            credit_limit__policy__period_end__gte=on,
        )
        .order_by("-effective_on", "-created_at", "-id")
        .first()
    )  # fmt: skip


def _pending_orders_cover(policy_id: int, buyer_id: int, on: date) -> ShipmentCover | None:
    """After a cut, an accepted pending-orders request keeps the old limit for deliveries
    up to its `cover_until` (SPEC 5); the claims handler checks the invoice belongs to the
    contract named in it."""
    cover = (
        PendingOrdersCover.objects.filter(
            credit_limit__policy_id=policy_id, credit_limit__buyer_id=buyer_id,
            status=PendingOrdersStatus.ACCEPTED, decision__effective_on__lte=on,
            cover_until__gte=on, decision__previous_amount__isnull=False,
        )
        .select_related("decision", "credit_limit")
        .order_by("-decision__previous_amount")
        .first()
    )  # fmt: skip
    if cover is None:
        return None
    return ShipmentCover(cover.decision.previous_amount, cover.credit_limit.payment_terms_days)


def limit_covering_shipment(*, policy_id: int, buyer_id: int, on: date) -> ShipmentCover | None:
    """The limit that covered a shipment made on day `on` (SPEC 5, 7), with its payment
    terms: the one in force that day; within a pending-orders window after a cut, the old
    amount if higher; for a shipment before the buyer's first limit existed, the amount
    first granted when its application named that shipment and came within the
    limit-application deadline (15 days after the first uncovered shipment)."""
    change = _change_on(policy_id, buyer_id, on)
    current = None
    if change is not None and change.to_status == LimitStatus.ACTIVE:
        current = ShipmentCover(change.amount, change.payment_terms_days)
    pending = _pending_orders_cover(policy_id, buyer_id, on)
    if pending is not None and (current is None or pending.amount > current.amount):
        return pending
    if current is not None or change is not None:
        return current
    first = (
        CreditLimitChange.objects.filter(
            credit_limit__policy_id=policy_id, credit_limit__buyer_id=buyer_id,
            action=LimitAction.GRANT, decision__application__isnull=False,
            credit_limit__policy__period_start__lte=on,
        )
        .select_related("decision__application__policy")
        .order_by("effective_on", "created_at", "id")
        .first()
    )  # fmt: skip
    if first is None or on >= first.effective_on:
        return None
    application = first.decision.application
    earlier = application.earlier_shipments
    if earlier is None or application.first_shipment_on > on:
        return None
    covered, _deadline = earlier
    return ShipmentCover(first.amount, first.payment_terms_days) if covered else None


# --- home pages ------------------------------------------------------------------------------


def decision_queue_ageing(user, *, now) -> dict:
    """The queue's size and age against the 21-day service level (SPEC 5), in one query:
    how many open applications are 0-7, 8-14, 15-21 and over 21 days old, and the oldest.

    Days are whole days since submission, as every page counts them (`age_in_days`).
    """

    def older_than(days: int) -> Q:
        return Q(submitted_at__lte=now - timedelta(days=days))

    figures = (
        applications_visible_to(user)
        .filter(status__in=QUEUE_STATUSES)
        .order_by()
        .aggregate(
            total=Count("id"),
            days_0_7=Count("id", filter=~older_than(8)),
            days_8_14=Count("id", filter=older_than(8) & ~older_than(15)),
            days_15_21=Count("id", filter=older_than(15) & ~older_than(22)),
            over_21=Count("id", filter=older_than(22)),
            second_approval=Count(
                "id", filter=Q(status=ApplicationStatus.AWAITING_SECOND_APPROVAL)
            ),
            oldest=Min("submitted_at"),
        )
    )
    figures["oldest_days"] = (now - figures["oldest"]).days if figures["oldest"] else None
    return figures


def insured_cover(user) -> QuerySet[CreditLimit]:
    """An insured's cover: its current limits on policies in force (SPEC 5). The home
    shows their sum and count, and the largest by buyer (`.order_by("-amount", ...)`)."""
    return credit_limits_visible_to(user).filter(
        status__in=EXPOSURE_STATUSES, policy__status__in=LIVE_STATUSES
    )


def open_applications(user) -> QuerySet[LimitApplication]:
    """Applications still waiting (a draft for the insured's approver, or the insurer)."""
    return (
        applications_visible_to(user)
        .filter(status__in=OPEN_APPLICATION_STATUSES)
        .order_by("created_at", "id")
    )


def limit_fee_assessments(*, policy_id: int) -> list[tuple[int, date]]:
    """(buyer id, first day its limit applied) for every buyer the insurer assessed with a
    limit in this policy year, for the limit fees (SPEC 3.2); discretionary limits are the
    insured's own and carry no fee."""
    rows = (
        CreditLimit.objects.filter(policy_id=policy_id, source=LimitSource.INSURER)
        .values("buyer_id")
        .annotate(first=Min("effective_from"))
        .order_by()
    )
    return [(row["buyer_id"], row["first"]) for row in rows]
