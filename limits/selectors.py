"""Role-scoped reads of credit limits (SPEC 2, 5)."""

from django.db.models import QuerySet

from limits.models import CreditLimit


def credit_limits_visible_to(user) -> QuerySet[CreditLimit]:
    qs = CreditLimit.objects.select_related("policy", "buyer", "policy__insured")
    if not user.is_authenticated:
        return qs.none()
    if user.is_insurer_staff:
        return qs
    if user.is_insured_user:
        return qs.filter(policy__insured_id=user.organisation_id)
    return qs.none()
