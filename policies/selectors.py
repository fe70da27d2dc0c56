"""Role-scoped reads of policies (SPEC 2): start every view and viewset here."""

from django.db.models import Q, QuerySet

from core import scope
from policies.choices import LIVE_STATUSES
from policies.models import Policy, PolicySuspension, PolicyTransition


def policies_visible_to(user) -> QuerySet[Policy]:
    """Staff see every policy; insured users their organisation's; a bank, the policies its
    active assignment agreements name (core.scope; none until agreements exist)."""
    return scope.visible(user, Policy).select_related("insured")


def transitions_visible_to(user) -> QuerySet[PolicyTransition]:
    return scope.visible(user, PolicyTransition).select_related("actor")


def policies_in_force_with_renewal(user) -> QuerySet[Policy]:
    """The user's live policies, soonest to end first, each with its renewal row (if the
    next year has been offered) and who accepted it, in one query (SPEC 3.3)."""
    return (
        policies_visible_to(user)
        .filter(status__in=LIVE_STATUSES)
        .select_related("renewal", "renewal__renewal_accepted_by")
        .order_by("period_end", "id")
    )


def policy_suspended_on(*, policy_id: int, on) -> bool:
    """Was the policy suspended on day `on` (SPEC 3.3)? Shipments on such a day are not
    covered; a suspension starts on its first day and ends the day the policy is
    reinstated (shipments that day are covered again)."""
    return PolicySuspension.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on), policy_id=policy_id, started_on__lte=on
    ).exists()
