"""How credit limits follow events upstream (SPEC 3.3, 4, 5), registered in `ready()`.

Policies and buyers do not know this app: they emit events through `core.reactions`,
and these functions run in the same transaction as the change that caused them.
"""

from datetime import timedelta

from django.db.models import Count, Sum

from core import reactions
from limits.choices import EXPOSURE_STATUSES
from limits.selectors import buyer_exposure_summary, credit_limits_visible_to
from limits.services import limits_carry_over, limits_end_with_policy, limits_suspend_for_buyer


def end_with_policy(*, change) -> None:
    """An expired or cancelled policy's limits end with it: for shipments after its last
    day, or from today when it is cancelled before then."""
    policy = change.instance
    ended_on = min(change.today, policy.period_end + timedelta(days=1))
    if change.action == "expire":
        ended_on = policy.period_end + timedelta(days=1)
    limits_end_with_policy(
        policy_id=policy.pk, ended_on=ended_on, actor=change.actor, today=change.today
    )


def carry_over_into_renewal(*, change) -> None:
    policy = change.instance
    if policy.renewed_from_id:
        limits_carry_over(
            from_policy_id=policy.renewed_from_id,
            to_policy_id=policy.pk,
            today=change.today,
            actor=change.actor,
        )


def suspend_for_defaulted_buyer(*, buyer_id: int, actor, today) -> None:
    limits_suspend_for_buyer(actor=actor, buyer_id=buyer_id, today=today)


def buyer_page(*, context, buyer, user) -> None:
    context["exposure"] = buyer_exposure_summary(buyer=buyer, user=user)


def policy_page(*, context, policy, user) -> None:
    limits = credit_limits_visible_to(user).filter(policy=policy)
    context["credit_limits"] = limits.order_by("buyer__name")
    context["current_cover"] = (
        limits.filter(status__in=EXPOSURE_STATUSES)
        .order_by()
        .aggregate(n=Count("id"), total=Sum("amount"))
    )


def register() -> None:
    reactions.react("buyers.buyer_page", buyer_page)
    reactions.react("policies.policy_page", policy_page)
    reactions.react("policies.policy.expire", end_with_policy)
    reactions.react("policies.policy.cancel", end_with_policy)
    reactions.react("policies.policy.issue", carry_over_into_renewal)
    reactions.react("buyers.buyer.defaulted", suspend_for_defaulted_buyer)
