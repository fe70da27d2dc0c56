"""Role-scoped reads of policies (SPEC 2): start every view and viewset here."""

from django.db.models import QuerySet

from policies.choices import LIVE_STATUSES
from policies.models import Policy


def policies_visible_to(user) -> QuerySet[Policy]:
    """Staff see every policy; insured users their organisation's; banks, for now, none.

    Bank users will see the policies named by an active assignment agreement (SPEC 8)
    once agreements exist; until then their list is empty by design.
    """
    qs = Policy.objects.select_related("insured")
    if not user.is_authenticated:
        return qs.none()
    if user.is_insurer_staff:
        return qs
    if user.is_insured_user:
        return qs.filter(insured_id=user.organisation_id)
    return qs.none()


def policies_in_force_with_renewal(user) -> QuerySet[Policy]:
    """The user's live policies, soonest to end first, each with its renewal row (if the
    next year has been offered) and who accepted it, in one query (SPEC 3.3)."""
    return (
        policies_visible_to(user)
        .filter(status__in=LIVE_STATUSES)
        .select_related("renewal", "renewal__renewal_accepted_by")
        .order_by("period_end", "id")
    )
