"""Policy statuses and the lifecycle transition table (SPEC 3.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUOTED = "quoted", _("Quoted")
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class PolicyAction(models.TextChoices):
    CREATE = "create", _("Create the proposal")
    RENEW = "renew", _("Quote the renewal")
    QUOTE = "quote", _("Quote")
    REVISE = "revise", _("Back to draft")
    ISSUE = "issue", _("Put in force")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    EXPIRE = "expire", _("Expire")
    CANCEL = "cancel", _("Cancel the policy")


S, A = PolicyStatus, PolicyAction

# SPEC 3.3 lifecycle: (from-status, action, to-status); "" is a new row.
POLICY_MACHINE = StateMachine(
    name="policies.policy",
    model="policies.Policy",
    history="policies.PolicyTransition",
    history_fk="policy",
    rows=(
        ("", A.CREATE, S.DRAFT),
        ("", A.RENEW, S.QUOTED),
        (S.DRAFT, A.QUOTE, S.QUOTED),
        (S.QUOTED, A.REVISE, S.DRAFT),
        (S.QUOTED, A.ISSUE, S.IN_FORCE),
        (S.IN_FORCE, A.SUSPEND, S.SUSPENDED),
        (S.SUSPENDED, A.REINSTATE, S.IN_FORCE),
        (S.IN_FORCE, A.EXPIRE, S.EXPIRED),
        (S.SUSPENDED, A.EXPIRE, S.EXPIRED),
        (S.DRAFT, A.CANCEL, S.CANCELLED),
        (S.QUOTED, A.CANCEL, S.CANCELLED),
        (S.IN_FORCE, A.CANCEL, S.CANCELLED),
        (S.SUSPENDED, A.CANCEL, S.CANCELLED),
    ),
    status_labels=dict(PolicyStatus.choices),
    action_labels=dict(PolicyAction.choices),
)
# Actions a person chooses on the policy page (creation and renewal have their own).
MANUAL_ACTIONS = (A.QUOTE, A.REVISE, A.ISSUE, A.SUSPEND, A.REINSTATE, A.EXPIRE, A.CANCEL)

TERMINAL_STATUSES = frozenset({S.EXPIRED, S.CANCELLED})
# Statuses in which the policy is a live contract (limits, declarations, claims run).
LIVE_STATUSES = frozenset({S.IN_FORCE, S.SUSPENDED})
# Actions whose reason is mandatory because they take cover away.
ACTIONS_NEEDING_REASON = frozenset({A.SUSPEND, A.CANCEL})

STATUS_BADGES = {
    S.DRAFT: "secondary",
    S.QUOTED: "info",
    S.IN_FORCE: "success",
    S.SUSPENDED: "warning",
    S.EXPIRED: "dark",
    S.CANCELLED: "danger",
}


class CoverType(models.TextChoices):
    WHOLE_TURNOVER = "whole", _("Whole turnover")
    SELECTIVE = "selective", _("Selective")


class SelectionCriterion(models.TextChoices):
    REGION = "region", _("Region")
    PRODUCT_LINE = "product_line", _("Product line")
    BUYER_SIZE = "buyer_size", _("Buyer size")


class EligibilityCode(models.TextChoices):
    """SPEC 3.1 underwriting guidelines; each is a warning an underwriter may override."""

    NOT_MAINLAND = "not_mainland", _("Insured is not registered in mainland China")
    TOO_YOUNG = "too_young", _("Insured is less than 3 years old without a parent in the business")
    LOW_TURNOVER = "low_turnover", _("Annual credit turnover below 30,000,000 CNY")
    EXCLUDED_INDUSTRY = "excluded_industry", _("Industry not accepted (real estate, construction)")
    FEW_BUYERS = "few_buyers", _("Fewer than 3 buyers")
    # xgettext:no-python-format
    SELECTIVE_SHARE = "selective_share", _("Selective cover below 60% of credit sales")
    SELECTIVE_CRITERION = "selective_criterion", _("Selective cover without an objective criterion")
