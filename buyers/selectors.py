"""Role-scoped reads of buyers and the buyer search (SPEC 4)."""

import re

from django.contrib.postgres.search import TrigramWordDistance
from django.db.models import Q, QuerySet, Sum

from buyers.models import Buyer, BuyerCapacity
from limits.choices import EXPOSURE_STATUSES
from limits.models import CreditLimit

USCC_PATTERN = re.compile(r"^[0-9A-Z]{2,18}$")
# Two-character fragments (common in Chinese names) need a scan; from three on, the
# trigram index serves ILIKE too.
MIN_SUBSTRING_LENGTH = 2


def buyers_visible_to(user) -> QuerySet[Buyer]:
    """Staff see the whole register; an insured, the buyers on its policies' limits.

    Bank users see only assigned buyers (SPEC 8), which come with assignment agreements.
    """
    qs = Buyer.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_insurer_staff:
        return qs
    if user.is_insured_user:
        return qs.filter(credit_limits__policy__insured_id=user.organisation_id).distinct()
    return qs.none()


def buyer_search(qs: QuerySet[Buyer], query: str) -> QuerySet[Buyer]:
    """Exact or prefix USCC, else fuzzy name search over current and former names.

    `q <% name` (word similarity, threshold set on the connection) and, from two
    characters, a substring match; both are served by the GIN trigram indexes. Results
    are ranked by word distance so the closest name comes first.
    """
    query = (query or "").strip()
    if not query:
        return qs
    upper = query.upper()
    if USCC_PATTERN.match(upper) and any(ch.isdigit() for ch in upper):
        if len(upper) == 18:
            return qs.filter(uscc=upper)
        return qs.filter(uscc__startswith=upper)
    matches = Q(name__trigram_word_similar=query) | Q(former_names__trigram_word_similar=query)
    if len(query) >= MIN_SUBSTRING_LENGTH:
        # An exact fragment always matches, also where similarity is low (short queries).
        matches |= Q(name__ilike_contains=query) | Q(former_names__ilike_contains=query)
    return (
        qs.filter(matches)
        .annotate(distance=TrigramWordDistance(query, "name"))
        .order_by("distance", "name")
    )


def buyer_exposure_summary(*, buyer: Buyer, user) -> dict:
    """Aggregate exposure (sum of current limits over all policies), capacity and headroom.

    Staff see the insurer's whole exposure; an insured sees only its own limits.
    """
    limits = CreditLimit.objects.filter(buyer=buyer, status__in=EXPOSURE_STATUSES)
    if not user.is_insurer_staff:
        limits = limits.filter(policy__insured_id=user.organisation_id)
    exposure = limits.aggregate(total=Sum("amount"))["total"] or 0
    summary = {"exposure": exposure, "limits": limits.select_related("policy")}
    if user.is_insurer_staff:
        capacity = BuyerCapacity.objects.filter(risk_grade=buyer.risk_grade).first()
        summary["capacity"] = capacity.max_exposure if capacity else None
        summary["headroom"] = (capacity.max_exposure - exposure) if capacity else None
    return summary
