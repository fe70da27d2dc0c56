"""What the banks app adds to the pages of the apps below it (through core.reactions,
registered in `banks.reactions.register`): the policy page lists its agreements."""

from banks import selectors
from policies.choices import TERMINAL_STATUSES

POLICY_SECTION = "banks/_policy_agreements.html"


def policy_page(*, context, policy, user) -> None:
    """The policy's assignment agreements (SPEC 8) as `user` may see them, and for an
    underwriter the way to prepare one while the policy has not ended."""
    if "transitions" not in context:
        return  # the policy's confirmation dialogs ask what is current, not for this
    agreements = list(selectors.policy_agreements(user, policy).defer("signed_content"))
    may_prepare = (
        user.is_insurer_staff and user.is_underwriter and policy.status not in TERMINAL_STATUSES
    )
    if not agreements and not may_prepare:
        return
    context["assignment_agreements"] = agreements
    context["may_prepare_agreement"] = may_prepare
    context.setdefault("policy_sections", []).append(POLICY_SECTION)
