"""Shared pieces of the premium pages (SPEC 2, 6): who may do what, and how a service's
refusal reaches the page. The services check the same role sets; these only decide which
buttons a page shows and which pages a role reaches at all."""

from core.mixins import RoleRequiredMixin
from limits.services import PREPARER_ROLES, SUBMITTER_ROLES
from premiums.services.common import is_premium_staff


def acts_for_insured(user, policy, roles) -> bool:
    return user.is_insured_user and user.organisation_id == policy.insured_id and user.role in roles


def may_prepare(user, policy) -> bool:
    """A clerk, approver or company administrator of the insured, or premium staff."""
    return acts_for_insured(user, policy, PREPARER_ROLES) or is_premium_staff(user)


def may_declare_at_once(user, policy) -> bool:
    """An approver or administrator declares at once; staff enter a paper declaration."""
    return acts_for_insured(user, policy, SUBMITTER_ROLES) or is_premium_staff(user)


class PremiumReaderMixin(RoleRequiredMixin):
    """The premium account is the insured's and the insurer's business: a bank user gets
    404 whatever it may see of the policy (SPEC 2)."""

    def allows(self, user) -> bool:
        return user.is_insurer_staff or user.is_insured_user


class PremiumStaffMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return is_premium_staff(user)


class DeclarationPreparerMixin(RoleRequiredMixin):
    """Who reaches the declaration form at all; the policy is checked by the service."""

    def allows(self, user) -> bool:
        return is_premium_staff(user) or (user.is_insured_user and user.role in PREPARER_ROLES)


class DeclarationSubmitterMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_insured_user and user.role in SUBMITTER_ROLES
