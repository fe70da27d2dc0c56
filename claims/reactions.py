"""What claims tells the apps beside it, registered in `ready()` (SPEC 8)."""

from decimal import Decimal

from claims import texts
from claims.choices import CLAIM_MACHINE, ClaimAction
from claims.models import PolicyLiability
from core import reactions
from notifications.services import tell_banks, tell_banks_many

# The insurer's internal steps stay its own (as in core.scope): a bank is told the rest.
INTERNAL_ACTIONS = frozenset({ClaimAction.SUBMIT_FOR_APPROVAL, ClaimAction.RETURN})
BANK_EVENT_OF_ACTION = {ClaimAction.OPEN: "claim_opened", ClaimAction.PAY: "claim_paid"}

# Asked by the banks app for the financing capacity (SPEC 8).
LIABILITY_USED_EVENT = "claims.liability_used"


def _bank_event(change) -> dict:
    claim = change.instance
    return dict(
        kind=BANK_EVENT_OF_ACTION.get(change.action, "claim_step"),
        policy_id=claim.policy_id, buyer_id=claim.buyer_id,
        subject_code=texts.CLAIM_STEP_FOR_BANK.code,
        params={"reference": claim.reference, "buyer": str(claim.buyer),
                "status": change.to_status},
        url=claim.get_absolute_url(),
    )  # fmt: skip


def tell_banks_of_step(*, change) -> None:
    tell_banks(**_bank_event(change))


def tell_banks_of_steps(*, changes) -> None:
    """The same for a sweep's batch (the end of many waiting periods at once)."""
    tell_banks_many([_bank_event(change) for change in changes])


def liability_used(*, policy_ids) -> dict[int, Decimal]:
    """What approved and paid indemnities have used of each policy year's maximum (a
    policy without any has used nothing and is absent)."""
    return dict(
        PolicyLiability.objects.filter(policy_id__in=policy_ids).values_list(
            "policy_id", "committed"
        )
    )


def register() -> None:
    for action in CLAIM_MACHINE.actions() - INTERNAL_ACTIONS:
        reactions.react(
            f"{CLAIM_MACHINE.name}.{action}", tell_banks_of_step, many=tell_banks_of_steps
        )
    reactions.react(LIABILITY_USED_EVENT, liability_used)
