"""Tripartite assignment agreements and what a bank is told (SPEC 8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.transitions import StateMachine


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", pgettext_lazy("agreement status", "Active")
    TERMINATED = "terminated", _("Terminated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AgreementAction(models.TextChoices):
    PREPARE = "prepare", _("Prepare")
    EDIT = "edit", pgettext_lazy("agreement action", "Edit")
    SIGN = "sign", _("Record the signed copy")
    ACTIVATE = "activate", _("Activate")
    AMEND = "amend", _("Amend with the bank's consent")
    TERMINATE = "terminate", _("Terminate with the bank's consent")
    EXPIRE = "expire", _("Ended at its end date")
    WITHDRAW = "withdraw", _("Withdraw")


class AgreementScope(models.TextChoices):
    ALL = "all", _("All buyers of the policy")
    REGION = "region", _("The buyers of a region")
    LISTED = "listed", _("Listed buyers")


S, A = AgreementStatus, AgreementAction

# SPEC 8: drafted by the insurer, signed by the three parties (the signed copy uploaded),
# then active. While active the insured's authorisation is irrevocable: a change or the
# termination needs the bank's written consent, recorded with the move.
AGREEMENT_MACHINE = StateMachine(
    name="banks.agreement",
    model="banks.AssignmentAgreement",
    history="banks.AgreementStatusChange",
    history_fk="agreement",
    rows=(
        ("", A.PREPARE, S.DRAFT),
        (S.DRAFT, A.EDIT, S.DRAFT),
        (S.DRAFT, A.SIGN, S.SIGNED),
        (S.DRAFT, A.WITHDRAW, S.WITHDRAWN),
        (S.SIGNED, A.WITHDRAW, S.WITHDRAWN),
        (S.SIGNED, A.ACTIVATE, S.ACTIVE),
        (S.ACTIVE, A.AMEND, S.ACTIVE),
        (S.ACTIVE, A.TERMINATE, S.TERMINATED),
        (S.ACTIVE, A.EXPIRE, S.TERMINATED),
    ),
    status_labels=dict(AgreementStatus.choices),
    action_labels=dict(AgreementAction.choices),
)

# The moves that need the bank's written consent (SPEC 8).
CONSENT_ACTIONS = frozenset({A.AMEND, A.TERMINATE})

AGREEMENT_BADGES = {
    S.DRAFT: "secondary",
    S.SIGNED: "info",
    S.ACTIVE: "success",
    S.TERMINATED: "dark",
    S.WITHDRAWN: "dark",
}

# The fields an amendment may change while the agreement is active.
AMENDABLE_FIELDS = ("ends_on", "account_name", "account_number", "account_bank")


class BankEventKind(models.TextChoices):
    """What changed on a financed policy, for the bank's feed (SPEC 8)."""

    LIMIT_DECISION = "limit_decision", _("Limit decision")
    LIMIT_CUT = "limit_cut", _("Limit reduced")
    LIMIT_CANCELLED = "limit_cancelled", _("Limit cancelled")
    OVERDUE_NOTICE = "overdue_notice", _("Overdue notice filed")
    CLAIM_OPENED = "claim_opened", _("Claim opened")
    CLAIM_STEP = "claim_step", _("Claim step")
    CLAIM_PAID = "claim_paid", _("Indemnity paid")
    POLICY_SUSPENDED = "policy_suspended", _("Policy suspended for non-payment")
    POLICY_REINSTATED = "policy_reinstated", _("Policy reinstated")
    POLICY_ENDED = "policy_ended", _("Policy ended")
    AGREEMENT_ACTIVE = "agreement_active", _("Agreement in force")
    AGREEMENT_AMENDED = "agreement_amended", _("Agreement amended")
    AGREEMENT_ENDED = "agreement_ended", _("Agreement ended")
    AGREEMENT_ENDING = "agreement_ending", _("Agreement near its end")


# Feed rows that call for the bank's attention.
ADVERSE_EVENTS = frozenset(
    {BankEventKind.LIMIT_CUT, BankEventKind.LIMIT_CANCELLED, BankEventKind.OVERDUE_NOTICE,
     BankEventKind.CLAIM_OPENED, BankEventKind.POLICY_SUSPENDED, BankEventKind.POLICY_ENDED,
     BankEventKind.AGREEMENT_ENDED, BankEventKind.AGREEMENT_ENDING}
)  # fmt: skip

# How long before its end date the bank is warned that an agreement ends.
ENDING_WARNING_DAYS = 30
