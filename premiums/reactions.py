"""How the premium account follows the policy (SPEC 3.3, 6), registered in `ready()`."""

from core import reactions
from premiums.services import premium_account_close, premium_account_open


def open_account(*, change) -> None:
    premium_account_open(
        policy_id=change.instance.pk, today=change.today, actor=change.actor, job=change.job
    )


def close_account(*, change) -> None:
    premium_account_close(
        policy_id=change.instance.pk, today=change.today, actor=change.actor, job=change.job
    )


def register() -> None:
    reactions.react("policies.policy.issue", open_account)
    reactions.react("policies.policy.cancel", close_account)
