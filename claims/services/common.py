"""Checks and helpers every claims write shares (SPEC 2, 7)."""

from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from policies.models import Policy

ERROR_NOT_YOURS = gettext_lazy("You cannot act for this insured.")
ERROR_ROLE = gettext_lazy("Your role does not allow this.")

# A clerk prepares, an approver (or the insured's administrator) files (SPEC 2).
INSURED_PREPARERS = frozenset({Role.CLERK, Role.APPROVER, Role.INSURED_ADMIN})
INSURED_FILERS = frozenset({Role.APPROVER, Role.INSURED_ADMIN})


def is_claims_staff(user) -> bool:
    return user.is_insurer_staff and user.is_claims_staff


def require_claims_staff(actor) -> None:
    if not is_claims_staff(actor):
        raise PermissionError(str(ERROR_ROLE))


def require_insured_or_claims_staff(actor, policy: Policy, insured_roles) -> None:
    """The insured's own users in `insured_roles`, or claims staff (who enter a paper
    notice); else PermissionError, answered 404 like an object the user cannot see."""
    if actor.is_insurer_staff:
        require_claims_staff(actor)
        return
    if actor.organisation_id != policy.insured_id:
        raise PermissionError(str(ERROR_NOT_YOURS))
    if actor.role not in insured_roles:
        raise PermissionError(str(ERROR_ROLE))


def claims_team():
    """The claims handlers and managers told of notices, claims and approvals to give."""
    return User.objects.filter(
        organisation__kind="insurer",
        role__in=[Role.CLAIMS_HANDLER, Role.CLAIMS_MANAGER],
        is_active=True,
    )


def may_file(actor) -> bool:
    return is_claims_staff(actor) or actor.role in INSURED_FILERS


def next_reference(prefix: str, on: date) -> str:
    """ON2026000001 for notices, CL2026000001 for claims: one sequence each, never reused."""
    sequence = {"ON": "claims_notice_seq", "CL": "claims_claim_seq"}[prefix]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        (value,) = cursor.fetchone()
    return f"{prefix}{on:%Y}{value:06d}"


def today_or(today: date | None) -> date:
    return today or timezone.localdate()
