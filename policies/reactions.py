"""The policy app's own consequences of its transitions (SPEC 3.3)."""

from core import reactions
from policies.models import PolicySuspension


def open_suspension(*, change) -> None:
    PolicySuspension.objects.create(
        policy=change.instance, started_on=change.today, started_by=change.record
    )


def close_suspension(*, change) -> None:
    """Reinstated, expired or cancelled: an open suspension period ends today."""
    PolicySuspension.objects.filter(policy=change.instance, ended_on__isnull=True).update(
        ended_on=change.today, ended_by=change.record
    )


def register() -> None:
    reactions.react("policies.policy.suspend", open_suspension)
    for action in ("reinstate", "expire", "cancel"):
        reactions.react(f"policies.policy.{action}", close_suspension)
