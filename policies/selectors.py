"""Role-scoped reads of policies (SPEC 2): start every view and viewset here."""

from django.db.models import QuerySet

from core import scope
from policies.choices import LIVE_STATUSES
from policies.models import Policy, PolicyTransition


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
