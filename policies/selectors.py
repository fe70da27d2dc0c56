"""Role-scoped reads of policies (SPEC 2): start every view and viewset here."""

from django.db.models import QuerySet

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
