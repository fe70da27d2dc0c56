"""Role-scoped reads of policies (SPEC 2): start every view and viewset here."""

from django.db.models import QuerySet

from core import scope
from policies.models import Policy, PolicyTransition


def policies_visible_to(user) -> QuerySet[Policy]:
    """Staff see every policy; insured users their organisation's; a bank, the policies its
    active assignment agreements name (core.scope; none until agreements exist)."""
    return scope.visible(user, Policy).select_related("insured")


def transitions_visible_to(user) -> QuerySet[PolicyTransition]:
    return scope.visible(user, PolicyTransition).select_related("actor")
