"""Checks every premium write shares."""

from django.utils.translation import gettext_lazy

from accounts.choices import UNDERWRITING_ROLES
from policies.models import Policy

ERROR_NOT_YOURS = gettext_lazy("You cannot act for this insured.")
ERROR_ROLE = gettext_lazy("Your role does not allow this.")
# Insurer staff who enter paper declarations and record payments (SPEC 2, 6).
PREMIUM_STAFF_ROLES = frozenset(UNDERWRITING_ROLES)


def require_insured_or_staff(actor, policy: Policy, insured_roles) -> None:
    """The insured's own users in `insured_roles`, or premium staff; else PermissionError
    (answered 404 like an object the user cannot see)."""
    if actor.is_insurer_staff:
        require_staff(actor)
        return
    if actor.organisation_id != policy.insured_id:
        raise PermissionError(str(ERROR_NOT_YOURS))
    if actor.role not in insured_roles:
        raise PermissionError(str(ERROR_ROLE))


def is_premium_staff(user) -> bool:
    """Insurer staff who enter paper declarations, upload them and record payments."""
    return user.is_insurer_staff and user.role in PREMIUM_STAFF_ROLES


def require_staff(actor) -> None:
    if not is_premium_staff(actor):
        raise PermissionError(str(ERROR_ROLE))
