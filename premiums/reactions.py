"""How the premium account follows the policy (SPEC 3.3, 6), registered in `ready()`."""

from django.utils import timezone

from core import reactions
from premiums import texts
from premiums.choices import DebitNoteKind
from premiums.selectors import premium_position, quarter_rows
from premiums.services import premium_account_close, premium_account_open
from premiums.services.notes import note_issue


def open_account(*, change) -> None:
    premium_account_open(
        policy_id=change.instance.pk, today=change.today, actor=change.actor, job=change.job
    )


def close_account(*, change) -> None:
    premium_account_close(
        policy_id=change.instance.pk, today=change.today, actor=change.actor, job=change.job
    )


def invoice_recovery_share(*, recovery, claim, today, actor):
    """The insured collected a recovery after payment: the insurer's share of it is a debit
    note to the insured (SPEC 7), one per recovery."""
    line = texts.LINE_RECOVERY_SHARE(
        claim=claim.reference, percentage=str(claim.policy.indemnity_percentage),
        amount=str(recovery.amount), received_on=recovery.received_on.isoformat(),
    )  # fmt: skip
    return note_issue(
        policy=claim.policy, kind=DebitNoteKind.RECOVERY_SHARE,
        lines=[(line, recovery.insurer_share, None)], today=today, actor=actor,
    )  # fmt: skip


def policy_page(*, context, policy, user) -> None:
    """The policy page links its declarations and premium and flags missed declarations;
    a bank's reader sees none of the premium account (SPEC 2)."""
    if not (user.is_insurer_staff or user.is_insured_user):
        return
    if "transitions" not in context:
        return  # the policy's confirmation dialogs ask what is current, not for this

    rows = quarter_rows(policy, user=user, today=timezone.localdate())
    context["premium"] = {
        "missing": [row for row in rows if row.state == "missing"],
        "declared": sum(1 for row in rows if row.current is not None),
        "quarters": len(rows),
        "position": premium_position(policy, user=user),
    }


def register() -> None:
    reactions.react("policies.policy_page", policy_page)
    reactions.react("policies.policy.issue", open_account)
    reactions.react("policies.policy.cancel", close_account)
    reactions.react("claims.recovery_share_due", invoice_recovery_share)
