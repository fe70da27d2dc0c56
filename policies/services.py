"""Every write on a policy: creation, schedule edits, lifecycle transitions, renewal.

Each is one transaction that locks the policy row, checks the transition table of
`policies.choices`, writes a `PolicyTransition` row and leaves side effects to commit.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import UNDERWRITING_ROLES, OrganisationKind, Role
from accounts.models import User
from core import transitions
from core.services import action
from core.sweeps import drain
from notifications.services import notify_users
from policies.choices import (
    ACTIONS_NEEDING_REASON,
    LIVE_STATUSES,
    MANUAL_ACTIONS,
    POLICY_MACHINE,
    EligibilityCode,
    PolicyAction,
    PolicyStatus,
)
from policies.models import EligibilityOverride, Policy
from policies.rules import (
    EligibilityFacts,
    eligibility_warnings,
    maximum_liability,
    minimum_premium,
    next_period,
)
from policies.texts import RENEWAL_BLOCKED

ERROR_NOT_ALLOWED = gettext_lazy("A policy that is %(status)s cannot be moved with '%(action)s'.")
ERROR_REASON_REQUIRED = gettext_lazy("Give a reason for this change.")
ERROR_UNRESOLVED_WARNINGS = gettext_lazy(
    "Override every eligibility warning with a reason before putting the policy in force: %(codes)s."
)
ERROR_NOT_INSURED = gettext_lazy("Choose an insured company.")
ERROR_NOT_EDITABLE = gettext_lazy("Only a draft or quoted policy can be edited.")
ERROR_PREVIOUS_YEAR_LIVE = gettext_lazy(
    "The previous policy year is still in force: the renewal comes into force when it ends."
)
ERROR_NOTICE_NOT_LIVE = gettext_lazy("Notice of non-renewal is given on a policy in force.")
ERROR_NOTICE_AFTER_EXPIRY = gettext_lazy("Notice must be given before the policy expires.")
ERROR_UNKNOWN_WARNING = gettext_lazy("This proposal has no such eligibility warning.")

# Fields an underwriter sets; minimum premium and maximum liability are derived.
SCHEDULE_FIELDS = (
    "period_start", "period_end", "auto_renew", "annual_credit_turnover", "buyer_count",
    "cover_type", "selective_share_percent", "selection_criterion", "indemnity_percentage",
    "max_credit_period_days", "invoice_deadline_days", "max_extension_days",
    "overdue_notice_days", "overdue_notice_after_extension_days", "limit_application_days",
    "max_discretionary_limit", "estimated_annual_turnover", "premium_rate_percent",
    "instalment_count", "max_liability_multiple", "franchise", "limit_fee", "free_limit_count",
    "waiting_period_months", "insolvency_payment_days", "claim_decision_days",
    "indemnity_payment_days", "advance_payment_days", "claim_filing_months",
    "declaration_deadline_days",
)  # fmt: skip


def _next_policy_number(on: date) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('policy_number_seq')")
        (value,) = cursor.fetchone()
    return f"TCI{on:%Y}{value:06d}"


def _derive_amounts(policy: Policy) -> None:
    policy.minimum_premium = minimum_premium(
        estimated_annual_turnover=policy.estimated_annual_turnover,
        premium_rate_percent=policy.premium_rate_percent,
    )
    policy.max_liability = maximum_liability(
        minimum_premium=policy.minimum_premium, multiple=policy.max_liability_multiple
    )


def _validate(policy: Policy) -> None:
    """Model validation with field-named messages (the API and forms show them as is)."""
    policy.full_clean(exclude=["insured", "created_by", "renewed_from", "policy_number"])


def policy_create(*, actor, insured, **schedule) -> Policy:
    """Create a draft policy (year 1) for an insured company."""
    if insured is None or insured.kind != OrganisationKind.INSURED:
        raise ValidationError({"insured": ERROR_NOT_INSURED})
    unknown = set(schedule) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown schedule fields: {sorted(unknown)}")
    with action(actor):
        policy = Policy(insured=insured, created_by=actor, **schedule)
        policy.policy_number = _next_policy_number(policy.period_start)
        _derive_amounts(policy)
        _validate(policy)
        transitions.create(POLICY_MACHINE, policy, PolicyAction.CREATE, actor=actor)
    return policy


def policy_update(*, actor, policy_id: int, **schedule) -> Policy:
    """Change schedule parameters while the policy is still a draft or a quote."""
    unknown = set(schedule) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown schedule fields: {sorted(unknown)}")
    with action(actor):
        policy = Policy.objects.select_for_update().get(id=policy_id)
        if policy.status not in (PolicyStatus.DRAFT, PolicyStatus.QUOTED):
            raise ValidationError(ERROR_NOT_EDITABLE)
        for field, value in schedule.items():
            setattr(policy, field, value)
        _derive_amounts(policy)
        _validate(policy)
        policy.save()
    return policy


def policy_eligibility_warnings(policy: Policy, *, on: date | None = None) -> list[str]:
    """SPEC 3.1 warnings for this proposal, from the insured's and the proposal's facts."""
    insured = policy.insured
    facts = EligibilityFacts(
        region=insured.region,
        founded_on=insured.founded_on,
        has_parent_in_same_business=insured.has_parent_in_same_business,
        industry=insured.industry,
        annual_credit_turnover=policy.annual_credit_turnover,
        buyer_count=policy.buyer_count,
        cover_type=policy.cover_type,
        selective_share_percent=policy.selective_share_percent,
        selection_criterion=policy.selection_criterion,
        assessed_on=on or policy.period_start,
    )
    return eligibility_warnings(facts)


def policy_unresolved_warnings(policy: Policy) -> list[str]:
    overridden = set(policy.eligibility_overrides.values_list("code", flat=True))
    return [code for code in policy_eligibility_warnings(policy) if code not in overridden]


def policy_override_warning(
    *, actor, policy_id: int, code: str, reason: str
) -> EligibilityOverride:
    """An underwriter accepts one guideline breach with a reason (SPEC 3.1)."""
    if not reason.strip():
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    with action(actor):
        policy = (
            Policy.objects.select_for_update(of=("self",))
            .select_related("insured")
            .get(id=policy_id)
        )
        if code not in policy_eligibility_warnings(policy):
            raise ValidationError({"code": ERROR_UNKNOWN_WARNING})
        override, _created = EligibilityOverride.objects.update_or_create(
            policy=policy, code=code, defaults={"reason": reason.strip(), "overridden_by": actor}
        )
    return override


def allowed_actions(policy: Policy) -> list[str]:
    """Actions a person may choose from the policy's status (for buttons)."""
    return [a for a in POLICY_MACHINE.allowed_actions(policy.status) if a in MANUAL_ACTIONS]


def policy_transition(
    *, actor, policy_id: int, action_name: str, reason: str = "", job: str = ""
) -> Policy:
    """Move a policy along its lifecycle (SPEC 3.3), refusing moves the table forbids.

    Apps below react to the move through `core.reactions` (limits end with an expired
    or cancelled policy and carry over into a renewal put in force), in this transaction.
    """
    if action_name not in MANUAL_ACTIONS:
        raise ValidationError({"action": _("Unknown action.")})
    if action_name in ACTIONS_NEEDING_REASON and not reason.strip():
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    with action(actor):
        policy = (
            Policy.objects.select_for_update(of=("self",))
            .select_related("insured", "renewed_from")
            .get(id=policy_id)
        )
        if POLICY_MACHINE.target(policy.status, action_name) is None:
            raise ValidationError(
                {
                    "action": ERROR_NOT_ALLOWED
                    % {
                        "status": policy.get_status_display(),
                        "action": PolicyAction(action_name).label,
                    }
                }
            )
        if action_name == PolicyAction.ISSUE:
            unresolved = policy_unresolved_warnings(policy)
            if unresolved:
                labels = ", ".join(str(EligibilityCode(c).label) for c in unresolved)
                raise ValidationError({"action": ERROR_UNRESOLVED_WARNINGS % {"codes": labels}})
            previous = policy.renewed_from
            if previous is not None and previous.status in LIVE_STATUSES:
                # Its limits carry over only once the old year has ended; two live years
                # would count every limit twice against the buyers' capacity.
                raise ValidationError({"action": ERROR_PREVIOUS_YEAR_LIVE})
        changes = {}
        if action_name == PolicyAction.ISSUE and policy.issue_blocked_reason:
            changes = {"issue_blocked_reason": "", "issue_blocked_on": None}
        transitions.transition(
            POLICY_MACHINE, policy, action_name, actor=actor, job=job, reason=reason,
            changes=changes,
        )  # fmt: skip
    return policy


def policy_give_non_renewal_notice(*, actor, policy_id: int, notice_on: date) -> Policy:
    """Either side gives notice before expiry: the policy will not auto-renew (SPEC 3.2).

    A renewal already offered as a quote is withdrawn with it.
    """
    with action(actor):
        policy = Policy.objects.select_for_update().get(id=policy_id)
        if policy.status not in LIVE_STATUSES:
            raise ValidationError({"notice_on": ERROR_NOTICE_NOT_LIVE})
        if notice_on > policy.period_end:
            raise ValidationError({"notice_on": ERROR_NOTICE_AFTER_EXPIRY})
        policy.non_renewal_notice_on = notice_on
        policy.auto_renew = False
        policy.save(update_fields=["non_renewal_notice_on", "auto_renew", "updated_at"])
        quote = Policy.objects.filter(renewed_from=policy, status=PolicyStatus.QUOTED).first()
        if quote is not None:
            policy_transition(
                actor=actor, policy_id=quote.pk, action_name=PolicyAction.CANCEL,
                reason=_("Notice of non-renewal given on %(date)s") % {"date": notice_on},
            )  # fmt: skip
    return policy


def policy_renew(*, actor, policy_id: int, job: str = "") -> Policy | None:
    """Create the next policy year (same number, next year index), as a quote.

    Idempotent: the one-to-one `renewed_from` and the unique (number, year) mean a
    second call, or a concurrent one, finds the renewal instead of making another.
    The copy carries every schedule parameter; limits are carried over by the limits
    app when the renewal comes into force.
    """
    with action(actor):
        policy = Policy.objects.select_for_update().get(id=policy_id)
        existing = Policy.objects.filter(renewed_from=policy).first()
        if existing is not None:
            return existing
        if policy.status not in (PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED):
            return None
        if not policy.auto_renew:
            return None
        start, end = next_period(period_end=policy.period_end)
        schedule = {field: getattr(policy, field) for field in SCHEDULE_FIELDS}
        schedule.update(period_start=start, period_end=end)
        renewal = Policy(
            insured_id=policy.insured_id,
            policy_number=policy.policy_number,
            year_index=policy.year_index + 1,
            renewed_from=policy,
            created_by=actor,
            **schedule,
        )
        _derive_amounts(renewal)
        transitions.create(
            POLICY_MACHINE, renewal, PolicyAction.RENEW, actor=actor, job=job,
            reason=_("Renewal of policy year %(year)s") % {"year": policy.year_index},
        )  # fmt: skip
        # The guideline overrides were accepted for this insured; they carry over.
        EligibilityOverride.objects.bulk_create(
            EligibilityOverride(
                policy=renewal, code=o.code, reason=o.reason, overridden_by_id=o.overridden_by_id
            )
            for o in policy.eligibility_overrides.all()
        )
    return renewal


def policy_renew_safely(*, actor, policy_id: int, job: str = "") -> Policy | None:
    """`policy_renew`, treating a lost race on the unique key as 'already renewed'."""
    try:
        return policy_renew(actor=actor, policy_id=policy_id, job=job)
    except IntegrityError:
        return Policy.objects.filter(renewed_from_id=policy_id).first()


def policies_due_for_renewal(*, today: date, window_days: int):
    """In-force policies ending within the window, auto-renewing, not yet renewed."""
    return Policy.objects.filter(
        status__in=(PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED),
        auto_renew=True,
        period_end__lte=today + timedelta(days=window_days),
        renewal__isnull=True,
    )


def policies_renew_due(*, today: date, window_days: int, batch_size: int = 500) -> int:
    """Quote the renewal of every policy due (SPEC 3.2, 10): drains in batches."""
    due = policies_due_for_renewal(today=today, window_days=window_days)

    def renew(policy_id: int) -> bool:
        return policy_renew_safely(actor=None, policy_id=policy_id, job=JOB_RENEW) is not None

    return drain(due, renew, batch_size=batch_size)


JOB_RENEW = "renew-policies"
JOB_EXPIRE = "expire-policies"


def policies_expire_due(*, today: date, batch_size: int = 500) -> int:
    """Expire live policies whose period has ended, and bring their renewals into force.

    Drains every due row in bounded batches. Each move locks its row and checks the
    table, so a second run, or a concurrent one, finds nothing left to do. A renewal
    that cannot come into force is not skipped silently: the refusal is stored on it,
    shown on its page, and reported to the underwriters (once per reason).
    """
    ended = Policy.objects.filter(
        status__in=(PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED), period_end__lt=today
    )

    def expire(policy_id: int) -> bool:
        try:
            policy_transition(
                actor=None, policy_id=policy_id, action_name=PolicyAction.EXPIRE,
                reason=_("Policy period ended"), job=JOB_EXPIRE,
            )  # fmt: skip
        except transitions.TransitionNotAllowed:
            return False  # moved by someone else meanwhile
        return True

    done = drain(ended, expire, batch_size=batch_size)
    renewals = Policy.objects.filter(
        status=PolicyStatus.QUOTED,
        renewed_from__isnull=False,
        period_start__lte=today,
        renewed_from__status=PolicyStatus.EXPIRED,
    )

    def issue(policy_id: int) -> bool:
        try:
            policy_transition(
                actor=None, policy_id=policy_id, action_name=PolicyAction.ISSUE,
                reason=_("Automatic renewal"), job=JOB_EXPIRE,
            )  # fmt: skip
        except ValidationError as refusal:
            _report_blocked_renewal(policy_id, refusal, today=today)
            return False
        return True

    return done + drain(renewals, issue, batch_size=batch_size)


def _report_blocked_renewal(policy_id: int, refusal: ValidationError, *, today: date) -> None:
    reason = "; ".join(refusal.messages)
    with action(None):
        policy = Policy.objects.select_for_update().get(pk=policy_id)
        if policy.issue_blocked_reason == reason:
            return  # reported already
        policy.issue_blocked_reason = reason
        policy.issue_blocked_on = today
        policy.save(update_fields=["issue_blocked_reason", "issue_blocked_on", "updated_at"])
        notify_users(
            users=User.objects.filter(role__in=UNDERWRITING_ROLES, is_active=True),
            subject_code=RENEWAL_BLOCKED.code,
            params=RENEWAL_BLOCKED(policy=str(policy)).params,
            body=reason,
            url=policy.get_absolute_url(),
        )


ERROR_NOT_A_RENEWAL_QUOTE = gettext_lazy("Only a renewal quote can be accepted.")
ERROR_ACCEPT_ROLE = gettext_lazy("Only the insured's approver or administrator accepts a renewal.")
RENEWAL_ACCEPTING_ROLES = frozenset({Role.APPROVER, Role.INSURED_ADMIN})


def policy_accept_renewal(*, actor, policy_id: int) -> Policy:
    """The insured accepts next year's renewal quote (SPEC 3.3): its approver or
    administrator, for its own policy.

    Only the acceptance is recorded: the quote keeps its status and comes into force by
    itself when the previous year ends (`policies_expire_due`). Accepting again keeps
    the first acceptance.
    """
    with action(actor):
        policy = Policy.objects.select_for_update().get(id=policy_id)
        if not (
            actor.is_insured_user
            and actor.organisation_id == policy.insured_id
            and actor.role in RENEWAL_ACCEPTING_ROLES
        ):
            raise PermissionError(str(ERROR_ACCEPT_ROLE))
        if policy.status != PolicyStatus.QUOTED or policy.renewed_from_id is None:
            raise ValidationError({"policy": ERROR_NOT_A_RENEWAL_QUOTE})
        if policy.renewal_accepted_at is None:
            policy.renewal_accepted_at = timezone.now()
            policy.renewal_accepted_by = actor
            policy.save(update_fields=["renewal_accepted_at", "renewal_accepted_by", "updated_at"])
    return policy
