"""Role-scoped reads of credit limits (SPEC 2, 5)."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from buyers.models import BuyerCapacity, NegativeEvent
from limits.choices import (
    EXPOSURE_STATUSES,
    OPEN_APPLICATION_STATUSES,
    QUEUE_STATUSES,
    ApplicationStatus,
)
from limits.models import (
    CreditLimit,
    LimitApplication,
    LimitDecision,
    LimitReview,
    PendingOrdersCover,
)
from policies.choices import LIVE_STATUSES


def credit_limits_visible_to(user) -> QuerySet[CreditLimit]:
    qs = CreditLimit.objects.select_related("policy", "buyer", "policy__insured")
    if not user.is_authenticated:
        return qs.none()
    if user.is_insurer_staff:
        return qs
    if user.is_insured_user:
        return qs.filter(policy__insured_id=user.organisation_id)
    return qs.none()


def applications_visible_to(user) -> QuerySet[LimitApplication]:
    qs = LimitApplication.objects.select_related("policy", "buyer", "policy__insured")
    if not user.is_authenticated:
        return qs.none()
    if user.is_insurer_staff:
        # A draft is still the insured's own business.
        return qs.exclude(status=ApplicationStatus.DRAFT)
    if user.is_insured_user:
        return qs.filter(policy__insured_id=user.organisation_id)
    return qs.none()


def decisions_visible_to(user) -> QuerySet[LimitDecision]:
    qs = LimitDecision.objects.select_related("policy", "buyer", "decided_by", "approved_by")
    if not user.is_authenticated:
        return qs.none()
    if user.is_insurer_staff:
        return qs
    if user.is_insured_user:
        return qs.filter(policy__insured_id=user.organisation_id)
    return qs.none()


def reviews_visible_to(user) -> QuerySet[LimitReview]:
    qs = LimitReview.objects.select_related(
        "credit_limit__policy", "credit_limit__buyer", "negative_event"
    )
    if user.is_authenticated and user.is_insurer_staff:
        return qs
    return qs.none()


def pending_orders_visible_to(user) -> QuerySet[PendingOrdersCover]:
    qs = PendingOrdersCover.objects.select_related("credit_limit__buyer", "decision")
    if not user.is_authenticated:
        return qs.none()
    if user.is_insurer_staff:
        return qs
    if user.is_insured_user:
        return qs.filter(credit_limit__policy__insured_id=user.organisation_id)
    return qs.none()


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


def insured_cover(user) -> dict:
    """An insured's cover at a glance: the sum of its current limits on policies in force
    and those limits by buyer, largest first (SPEC 5)."""
    current = credit_limits_visible_to(user).filter(
        status__in=EXPOSURE_STATUSES, policy__status__in=LIVE_STATUSES
    )
    figures = current.order_by().aggregate(total=Sum("amount"), count=Count("id"))
    figures["total"] = figures["total"] or Decimal(0)
    figures["by_buyer"] = list(current.order_by("-amount", "buyer__name")[:8])
    return figures


def open_applications(user) -> QuerySet[LimitApplication]:
    """Applications still waiting (a draft for the insured's approver, or the insurer)."""
    return (
        applications_visible_to(user)
        .filter(status__in=OPEN_APPLICATION_STATUSES)
        .order_by("created_at", "id")
    )
