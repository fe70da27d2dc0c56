"""What every limit service shares (SPEC 4, 5): messages, exposure and capacity reads,
role and buyer checks, the buyer lock, granting, and the decision record.

Invariant: a buyer's aggregate exposure (sum of current limits over all policies) never
exceeds its capacity. Every change that can raise it locks the buyer row first, so
decisions on one buyer happen one after the other, then sums and checks under the lock.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from buyers.choices import NO_NEW_LIMIT_GRADES, BuyerStatus, NegativeEventKind
from buyers.models import Buyer, BuyerCapacity, NegativeEvent, RelatedParty
from core import reactions, transitions
from core.texts import Text
from limits.choices import (
    EXPOSURE_STATUSES,
    LIMIT_MACHINE,
    LimitAction,
    LimitStatus,
    ResponseCode,
)
from limits.models import (
    BuyerExposure,
    CreditLimit,
    LimitDecision,
)
from limits.rules import (
    NEGATIVE_INFORMATION_MONTHS,
    add_months,
    within_capacity,
)
from limits.texts import decision_notice
from notifications.services import notify_users, tell_banks
from policies.choices import LIVE_STATUSES, PolicyStatus
from policies.models import Policy

ERROR_CAPACITY = gettext_lazy(
    "This would take the buyer's aggregate exposure to %(after)s, above its capacity of "
    "%(capacity)s (remaining: %(remaining)s)."
)
ERROR_NO_CAPACITY = gettext_lazy("No buyer capacity is set for risk grade %(grade)s.")
ERROR_GRADE = gettext_lazy("Buyers of risk grade %(grade)s get no new limits.")
ERROR_BUYER_STATUS = gettext_lazy("The buyer is %(status)s: no new limits.")
ERROR_RELATED = gettext_lazy("The buyer is related to the insured: no limit on this policy.")
ERROR_PUBLIC = gettext_lazy("The buyer is a public body: no limit can be granted.")
ERROR_NEGATIVE = gettext_lazy(
    "The buyer has negative information in the last 12 months: apply to the insurer instead."
)
ERROR_ABOVE_DISCRETIONARY = gettext_lazy(
    "Above the policy's maximum discretionary limit of %(max)s: apply for a limit instead."
)
ERROR_INSURER_LIMIT_EXISTS = gettext_lazy(
    "The insurer has decided on this buyer: a discretionary limit cannot replace that decision."
)
ERROR_POLICY_NOT_LIVE = gettext_lazy("The policy is not in force.")
ERROR_TERMS = gettext_lazy(
    "Payment terms cannot exceed the policy's maximum credit period of %(days)s days."
)
ERROR_NOT_YOURS = gettext_lazy("You cannot act for this insured.")
ERROR_ROLE = gettext_lazy("Your role does not allow this.")
ERROR_STATUS = gettext_lazy("The application is %(status)s and cannot be changed this way.")
ERROR_OWN_PROPOSAL = gettext_lazy("Nobody approves their own decision: a second underwriter must.")
ERROR_AUTHORITY = gettext_lazy("The amount %(amount)s is above your authority of %(authority)s.")
ERROR_AMOUNT_REQUIRED = gettext_lazy("Enter an amount.")
ERROR_PARTIAL_AMOUNT = gettext_lazy(
    "A partial approval is for less than the requested %(requested)s."
)
ERROR_OPEN_APPLICATION = gettext_lazy(
    "An application for this buyer on this policy is already open."
)
ERROR_NO_CURRENT_LIMIT = gettext_lazy("There is no current limit on this buyer to change.")
ERROR_LIMIT_EXISTS = gettext_lazy("There is already a limit on this buyer: apply for an increase.")
ERROR_INCREASE = gettext_lazy("An increase must be above the current limit of %(current)s.")
ERROR_REDUCTION = gettext_lazy("A reduction must be below the current limit of %(current)s.")
ERROR_PROLONG = gettext_lazy("Give the new expiry date.")
ERROR_BUYER_NAME = gettext_lazy(
    "The buyer is not in the register yet: give its registered name and industry."
)
ERROR_EFFECTIVE = gettext_lazy("The effective date cannot be before the notice date.")
ERROR_LIMIT_NOT_CURRENT = gettext_lazy("The limit is no longer current.")
ERROR_REVIEW_DONE = gettext_lazy("This review is already done.")
ERROR_NOT_REDUCED = gettext_lazy("Pending orders apply only after a reduction or cancellation.")
ERROR_AMOUNT_POSITIVE = gettext_lazy("The amount must be more than zero.")
ERROR_EFFECTIVE_PAST = gettext_lazy(
    "A reduction or cancellation cannot take effect before today: it would take cover from "
    "shipments already made."
)
ERROR_FUTURE_REQUEST = gettext_lazy("The request date cannot be in the future.")
ERROR_LIMIT_SUSPENDED = gettext_lazy(
    "The limit on this buyer is suspended: lift the suspension before changing it."
)
ERROR_EXPIRY_BEFORE_START = gettext_lazy("The expiry date is before the limit starts.")
ERROR_NOTICE_BEFORE_LIMIT = gettext_lazy("The notice date is before the limit started on %(date)s.")
ERROR_AFTER_POLICY_END = gettext_lazy("The date is after the policy ends on %(date)s.")
ERROR_REQUEST_BEFORE_NOTICE = gettext_lazy("The request cannot be dated before the notice.")
ERROR_AMENDED_AMOUNT = gettext_lazy(
    "The amended amount must be more than zero and at most the requested %(requested)s."
)
ERROR_COMMENT_REQUIRED = gettext_lazy("Say what the preparer should change.")
ERROR_NOT_EDITABLE = gettext_lazy("This field cannot be changed on a draft.")
ERROR_FUTURE_NOTICE = gettext_lazy("The notice date cannot be in the future.")
ERROR_REASON_REQUIRED = gettext_lazy("Give a reason.")
ERROR_CANNOT_REINSTATE = gettext_lazy("The buyer's grade or status does not allow it: %(why)s")

SUBMITTER_ROLES = {Role.APPROVER, Role.INSURED_ADMIN}
# Limits are granted on live policies and on quotes (the first buyers are assessed
# before inception, SPEC 3.2), never on an expired or cancelled one.
GRANTABLE_POLICY_STATUSES = LIVE_STATUSES | {PolicyStatus.QUOTED}
PREPARER_ROLES = {Role.CLERK, Role.APPROVER, Role.INSURED_ADMIN}
REVIEW_INTERVAL_MONTHS = 12
EXPIRY_WARNING_DAYS = 30


# --- reading helpers used under locks -------------------------------------------------


def buyer_exposure(buyer_id: int, *, excluding_policy_id: int | None = None) -> Decimal:
    """Aggregate exposure: the sum of current limits on the buyer over every policy (the
    stored total, `BuyerExposure`); without one policy's, the sum itself."""
    if excluding_policy_id is None:
        stored = BuyerExposure.objects.filter(buyer_id=buyer_id).values_list("exposure", flat=True)
        return next(iter(stored), None) or Decimal(0)
    qs = CreditLimit.objects.filter(buyer_id=buyer_id, status__in=EXPOSURE_STATUSES)
    if excluding_policy_id is not None:
        qs = qs.exclude(policy_id=excluding_policy_id)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal(0)


@dataclass(frozen=True)
class Position:
    """A buyer's exposure as a grant on one policy sees it (SPEC 4): the policy's current
    limit on the buyer, and the sum of the buyer's current limits on every other policy."""

    current: CreditLimit | None
    others: Decimal


def buyer_position(buyer_id: int, *, policy_id: int) -> Position:
    """Read under the buyer lock, in a statement of its own (begun after the lock was
    granted, so it sees what the lock's previous holder committed): one aggregate over
    the buyer's current limits gives both figures; the current limit itself is fetched
    only when there is one (an increase, or a new limit over a discretionary one)."""
    totals = CreditLimit.objects.filter(buyer_id=buyer_id, status__in=EXPOSURE_STATUSES).aggregate(
        others=Sum("amount", filter=~Q(policy_id=policy_id)),
        current=Max("pk", filter=Q(policy_id=policy_id)),
    )
    current = CreditLimit.objects.get(pk=totals["current"]) if totals["current"] else None
    return Position(current=current, others=totals["others"] or Decimal(0))


def capacity_of_buyer() -> Subquery:
    """The capacity of the buyer's grade, as an annotation of a query on limit
    applications (read with the buyer's lock instead of a query of its own)."""
    return Subquery(
        BuyerCapacity.objects.filter(risk_grade=OuterRef("buyer__risk_grade")).values(
            "max_exposure"
        )[:1]
    )


def buyer_is_related() -> Exists:
    """Whether the buyer is a related party of the policy's insured (SPEC 3.4), as an
    annotation of a query on limit applications."""
    return Exists(
        RelatedParty.objects.filter(
            buyer_id=OuterRef("buyer_id"), insured_id=OuterRef("policy__insured_id")
        )
    )


def capacity_for_grade(grade: int) -> Decimal | None:
    row = BuyerCapacity.objects.filter(risk_grade=grade).first()
    return row.max_exposure if row else None


def current_limit(policy_id: int, buyer_id: int) -> CreditLimit | None:
    return CreditLimit.objects.filter(
        policy_id=policy_id, buyer_id=buyer_id, status__in=EXPOSURE_STATUSES
    ).first()


def buyer_has_recent_negative_event(buyer_id: int, *, today: date) -> bool:
    since = add_months(today, -NEGATIVE_INFORMATION_MONTHS)
    return NegativeEvent.objects.filter(buyer_id=buyer_id, occurred_on__gte=since).exists()


def buyer_is_overdue(buyer_id: int, *, today: date) -> bool:
    """Whether an overdue report on the buyer stands: every filed overdue notice records
    one in the negative-event register (claims.services.notice_file), as do reports
    entered by hand (SPEC 4, 7)."""
    since = add_months(today, -NEGATIVE_INFORMATION_MONTHS)
    return NegativeEvent.objects.filter(
        buyer_id=buyer_id, kind=NegativeEventKind.OVERDUE_REPORT, occurred_on__gte=since
    ).exists()


# --- checks ------------------------------------------------------------------------------


def _require_underwriter(actor) -> None:
    if not (actor.is_underwriter or actor.is_superuser):
        raise PermissionError(str(ERROR_ROLE))


def _require_insured(actor, policy: Policy, roles) -> None:
    if actor.organisation_id != policy.insured_id:
        raise PermissionError(str(ERROR_NOT_YOURS))
    if actor.role not in roles:
        raise PermissionError(str(ERROR_ROLE))


def _check_buyer_may_get_limit(
    buyer: Buyer, policy: Policy, *, related: bool | None = None
) -> None:
    """SPEC 3.4 and 4: related parties and public bodies never; grades 8-10 no new limits.
    `related`: whether the buyer is related to the insured, when the caller read it."""
    if related is None:
        related = RelatedParty.objects.filter(buyer=buyer, insured_id=policy.insured_id).exists()
    if related:
        raise ValidationError({"buyer": ERROR_RELATED})
    if buyer.is_public_body:
        raise ValidationError({"buyer": ERROR_PUBLIC})
    if buyer.status != BuyerStatus.ACTIVE:
        raise ValidationError(
            {"buyer": ERROR_BUYER_STATUS % {"status": buyer.get_status_display()}}
        )
    if buyer.risk_grade in NO_NEW_LIMIT_GRADES:
        raise ValidationError({"buyer": ERROR_GRADE % {"grade": buyer.risk_grade}})


_UNREAD = object()


def _check_capacity(
    buyer: Buyer, *, policy_id: int, amount: Decimal, capacity=_UNREAD,
    others: Decimal | None = None,
) -> None:  # fmt: skip
    """Under the buyer lock: the exposure after this limit must stay within capacity.
    `capacity` (of the buyer's grade, None if unset) and `others` (the exposure on the
    other policies, `buyer_position`), when the caller read them under the lock."""
    if capacity is _UNREAD:
        capacity = capacity_for_grade(buyer.risk_grade)
    if capacity is None:
        raise ValidationError({"amount": ERROR_NO_CAPACITY % {"grade": buyer.risk_grade}})
    if others is None:
        others = buyer_exposure(buyer.pk, excluding_policy_id=policy_id)
    after = others + amount
    if not within_capacity(exposure_after=after, capacity=capacity):
        remaining = max(capacity - others, 0)
        raise ValidationError(
            {
                "amount": ERROR_CAPACITY
                % {"after": after, "capacity": capacity, "remaining": remaining}
            },
            code="capacity",
        )


def _check_terms(policy: Policy, days: int) -> None:
    if days > policy.max_credit_period_days:
        raise ValidationError(
            {"payment_terms_days": ERROR_TERMS % {"days": policy.max_credit_period_days}}
        )


def _lock_buyer(buyer_id: int) -> Buyer:
    # Every change that can raise a buyer's exposure takes this lock first (SPEC 4).
    return Buyer.objects.select_for_update().get(pk=buyer_id)


def _insured_users(policy: Policy):
    return User.objects.filter(organisation_id=policy.insured_id, is_active=True)


DECISION_RECORDED = "limits.decision.recorded"

# What a bank's feed calls a decision (SPEC 8: a cut or a cancellation stands out).
BANK_EVENT_OF_RESPONSE = {
    ResponseCode.REDUCTION: "limit_cut",
    ResponseCode.CANCELLATION: "limit_cancelled",
    ResponseCode.CLOSE_ACCOUNT: "limit_cancelled",
}


def _notify_decision(decision: LimitDecision) -> None:
    """Tell the insured and the banks financing the buyer (SPEC 8) of every decision,
    automatic ones included, after commit via the outbox: its outcome with the granted and
    requested amounts, in each reader's language."""
    notify_users(users=_insured_users(decision.policy), **decision_notice(decision))
    tell_banks_of_decision(decision)


def tell_banks_of_decision(decision: LimitDecision) -> None:
    """Tell the banks financing the buyer of a decision (SPEC 8), once each: when it is
    made, and again when a cut it gave notice of takes effect (limits_apply_scheduled),
    which reaches a bank whose agreement began in between and no bank twice."""
    tell_banks(
        kind=BANK_EVENT_OF_RESPONSE.get(decision.response_code, "limit_decision"),
        policy_id=decision.policy_id, buyer_id=decision.buyer_id,
        key=f"decision-{decision.pk}", **decision_notice(decision),
    )  # fmt: skip


def _record(**fields) -> LimitDecision:
    note = fields.get("explanation")
    if isinstance(note, Text):
        fields.update(
            explanation=note.render(staff=True),
            explanation_code=note.code,
            explanation_params=note.params,
        )
    decision = LimitDecision.objects.create(**fields)
    _notify_decision(decision)
    # Every decision, automatic ones included: the documents app issues its letter.
    reactions.emit(DECISION_RECORDED, decision=decision)
    return decision


# --- every change of a limit ---------------------------------------------------------------


def limit_move(
    limit: CreditLimit,
    action: str,
    *,
    effective_on: date,
    actor=None,
    job: str = "",
    reason: str = "",
    changes: dict | None = None,
    decision: dict | None = None,
    caused_by: LimitDecision | None = None,
    claim: bool = False,
    today: date | None = None,
) -> tuple[CreditLimit | None, LimitDecision | None]:
    """Change a limit through the transition mechanism and add a row to its history.

    `effective_on` is the first shipment day the change applies to. With `decision`
    (the fields of a `LimitDecision`) the decision is recorded with the change and
    linked from the history row, so the history is the chain of decisions (SPEC 5);
    `caused_by` links an earlier decision instead (a cut given with notice ahead).
    A new limit (no pk yet) is inserted; `claim=True` is the sweeps' compare-and-set.
    """
    recorded: list[LimitDecision] = [caused_by] if caused_by else []

    def history(instance: CreditLimit) -> dict:
        fields = {
            "amount": instance.amount if instance.status in EXPOSURE_STATUSES else None,
            "payment_terms_days": instance.payment_terms_days,
            "expires_on": instance.expires_on,
            "effective_on": effective_on,
        }
        if decision is not None:
            recorded.append(_record(credit_limit=instance, **decision))
        if recorded:
            fields.update(decision=recorded[0], cause=recorded[0])
        return fields

    if limit.pk is None:
        for name, value in (changes or {}).items():
            setattr(limit, name, value)
        moved = transitions.create(
            LIMIT_MACHINE, limit, action, actor=actor, job=job, reason=reason,
            history_fields=history, today=today,
        )  # fmt: skip
    else:
        moved = transitions.transition(
            LIMIT_MACHINE, limit, action, actor=actor, job=job, reason=reason,
            changes=changes, history_fields=history, claim=claim, today=today,
        )  # fmt: skip
    return moved, (recorded[0] if recorded else None)


def grant_effective_on(policy: Policy, today: date) -> date:
    """A limit covers shipments from today, or from the policy's start if later: a limit
    granted on a quote does not cover anything before the policy exists."""
    return max(today, policy.period_start)


def _grant(
    *,
    policy: Policy,
    buyer: Buyer,
    amount: Decimal,
    payment_terms_days: int,
    expires_on: date | None,
    source: str,
    today: date,
    actor=None,
    decision: dict | None = None,
    position: Position | None = None,
    capacity=_UNREAD,
    related: bool | None = None,
) -> tuple[CreditLimit, LimitDecision | None]:
    """Set the current limit on (policy, buyer) to `amount`, within capacity (buyer locked).

    A suspended limit is not lifted by a new grant: its suspension has a reason
    (a defaulted buyer, an overdue notice) that a decision on the amount does not answer.
    `position`, `capacity` and `related`: what the caller already read under the lock.
    """
    if policy.status not in GRANTABLE_POLICY_STATUSES:
        raise ValidationError({"policy": ERROR_POLICY_NOT_LIVE})
    _check_buyer_may_get_limit(buyer, policy, related=related)
    position = position or buyer_position(buyer.pk, policy_id=policy.pk)
    limit = position.current
    if limit is not None and limit.status == LimitStatus.SUSPENDED:
        raise ValidationError({"buyer": ERROR_LIMIT_SUSPENDED})
    _check_capacity(
        buyer, policy_id=policy.pk, amount=amount, capacity=capacity, others=position.others
    )
    if expires_on is not None and expires_on < grant_effective_on(policy, today):
        raise ValidationError({"expires_on": ERROR_EXPIRY_BEFORE_START})
    effective_on = grant_effective_on(policy, today)
    changes = {
        "amount": amount,
        "payment_terms_days": payment_terms_days,
        "expires_on": expires_on,
        "expiry_warned_on": None,
        "source": source,
        "effective_from": effective_on,
        "scheduled_amount": None,
        "scheduled_effective_on": None,
        "next_review_on": add_months(effective_on, REVIEW_INTERVAL_MONTHS),
    }
    if limit is None:
        limit = CreditLimit(policy=policy, buyer=buyer)
    if decision is not None:
        decision.setdefault("effective_on", effective_on)
    return limit_move(
        limit, LimitAction.GRANT, effective_on=effective_on, actor=actor, changes=changes,
        decision=decision, today=today,
    )  # fmt: skip


def _change_amount(
    limit: CreditLimit, amount: Decimal, *, effective_on: date, actor=None, job: str = "",
    decision: dict | None = None, caused_by: LimitDecision | None = None,
    today: date | None = None,
) -> tuple[CreditLimit, LimitDecision | None]:  # fmt: skip
    return limit_move(
        limit, LimitAction.REDUCE, effective_on=effective_on, actor=actor, job=job,
        changes={"amount": amount, "scheduled_amount": None, "scheduled_effective_on": None},
        decision=decision, caused_by=caused_by, today=today,
    )  # fmt: skip


def _end_limit(
    limit: CreditLimit, action: str, *, ended_on: date, actor=None, job: str = "",
    reason: str = "", decision: dict | None = None, caused_by: LimitDecision | None = None,
    claim: bool = False, today: date | None = None,
) -> tuple[CreditLimit | None, LimitDecision | None]:  # fmt: skip
    """End a limit (cancelled, expired, ended with its policy) for shipments from `ended_on`."""
    return limit_move(
        limit, action, effective_on=ended_on, actor=actor, job=job, reason=reason,
        changes={"ended_on": ended_on, "scheduled_amount": None, "scheduled_effective_on": None},
        decision=decision, caused_by=caused_by, claim=claim, today=today,
    )  # fmt: skip
