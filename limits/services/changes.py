"""Reductions, cancellations, suspensions, policy end and renewal, pending orders (SPEC 5)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import UNDERWRITING_ROLES
from accounts.models import User
from core import transitions
from core.services import action
from limits import texts
from limits.choices import (
    EXPOSURE_STATUSES,
    LIMIT_MACHINE,
    REVIEW_MACHINE,
    LimitAction,
    LimitStatus,
    PendingOrdersStatus,
    RequestType,
    ResponseCode,
    ReviewAction,
    ReviewStatus,
)
from limits.models import (
    CreditLimit,
    CreditLimitChange,
    LimitDecision,
    LimitReview,
    PendingOrdersCover,
)
from limits.rules import (
    pending_orders_cover_until,
    pending_orders_refusals,
)
from limits.services.base import (
    ERROR_AFTER_POLICY_END,
    ERROR_AMOUNT_POSITIVE,
    ERROR_CANNOT_REINSTATE,
    ERROR_EFFECTIVE,
    ERROR_EFFECTIVE_PAST,
    ERROR_FUTURE_NOTICE,
    ERROR_FUTURE_REQUEST,
    ERROR_LIMIT_NOT_CURRENT,
    ERROR_NOT_REDUCED,
    ERROR_NOTICE_BEFORE_LIMIT,
    ERROR_REASON_REQUIRED,
    ERROR_REDUCTION,
    ERROR_REQUEST_BEFORE_NOTICE,
    SUBMITTER_ROLES,
    _change_amount,
    _check_buyer_may_get_limit,
    _check_capacity,
    _end_limit,
    _insured_users,
    _lock_buyer,
    _require_insured,
    _require_underwriter,
    buyer_is_overdue,
    limit_move,
)
from notifications.services import notify_users
from policies.models import Policy

EARLIEST_DATE = date(2000, 1, 1)


def _check_cut_dates(limit: CreditLimit, *, notice_on: date, effective_on: date, today: date):
    """Notice and effective dates of a reduction or cancellation (SPEC 5), by field."""
    if notice_on < max(limit.effective_from, EARLIEST_DATE):
        raise ValidationError(
            {"notice_on": ERROR_NOTICE_BEFORE_LIMIT % {"date": limit.effective_from}}
        )
    end = limit.policy.period_end
    if notice_on > end:
        raise ValidationError({"notice_on": ERROR_AFTER_POLICY_END % {"date": end}})
    if notice_on > today:
        raise ValidationError({"notice_on": ERROR_FUTURE_NOTICE})
    if effective_on < notice_on:
        raise ValidationError({"effective_on": ERROR_EFFECTIVE})
    if effective_on < today:
        raise ValidationError({"effective_on": ERROR_EFFECTIVE_PAST})
    if effective_on > end:
        raise ValidationError({"effective_on": ERROR_AFTER_POLICY_END % {"date": end}})


def limit_reduce_or_cancel(
    *,
    actor,
    limit_id: int,
    amount: Decimal | None,
    notice_on: date,
    effective_on: date | None = None,
    reason_code: str,
    conditions: str = "",
    today: date | None = None,
) -> LimitDecision:
    """The insurer reduces (amount > 0) or cancels (amount None) a limit (SPEC 5).

    It applies to shipments after the effective date, which defaults to the notice date;
    a later effective date is scheduled and applied by the daily sweep, and the insured
    is warned in advance (限额预撤销提醒).
    """
    today = today or timezone.localdate()
    _require_underwriter(actor)
    if amount is not None and amount <= 0:
        raise ValidationError({"amount": ERROR_AMOUNT_POSITIVE})
    with action(actor):
        limit = (
            CreditLimit.objects.select_for_update(of=("self",))
            .select_related("policy", "buyer")
            .get(pk=limit_id)
        )
        if limit.status not in EXPOSURE_STATUSES:
            raise ValidationError({"limit": ERROR_LIMIT_NOT_CURRENT})
        # By default the notice date; a notice recorded late takes effect today at the earliest.
        effective_on = effective_on or max(notice_on, today)
        _check_cut_dates(limit, notice_on=notice_on, effective_on=effective_on, today=today)
        cancelling = amount is None
        if not cancelling and amount >= limit.amount:
            raise ValidationError({"amount": ERROR_REDUCTION % {"current": limit.amount}})
        decision = dict(
            policy=limit.policy,
            buyer=limit.buyer,
            request_type=RequestType.CANCELLATION if cancelling else RequestType.REDUCTION,
            response_code=ResponseCode.CANCELLATION if cancelling else ResponseCode.REDUCTION,
            reason_code=reason_code,
            amount=None if cancelling else amount,
            previous_amount=limit.amount,
            payment_terms_days=limit.payment_terms_days,
            conditions=conditions,
            notice_on=notice_on,
            effective_on=effective_on,
            decided_by=actor,
        )
        if effective_on > today:
            scheduled = (
                _("Cancellation from %(date)s")
                if cancelling
                else _("Cut to %(amount)s from %(date)s")
            ) % {"amount": f"{amount or 0:,.2f}", "date": effective_on.isoformat()}
            _limit, recorded = limit_move(
                limit, LimitAction.SCHEDULE, effective_on=notice_on, actor=actor, reason=scheduled,
                changes={
                    "scheduled_amount": Decimal(0) if cancelling else amount,
                    "scheduled_effective_on": effective_on,
                },
                decision=decision, today=today,
            )  # fmt: skip
        elif cancelling:
            _limit, recorded = _end_limit(
                limit, LimitAction.CANCEL, ended_on=effective_on, actor=actor,
                decision=decision, today=today,
            )  # fmt: skip
        else:
            _limit, recorded = _change_amount(
                limit, amount, effective_on=effective_on, actor=actor, decision=decision,
                today=today,
            )  # fmt: skip
        return recorded


def limit_reinstate(*, actor, limit_id: int, reason: str, today: date | None = None):
    """An underwriter lifts a suspension once its cause is gone (SPEC 4: a buyer out of
    default); the buyer must again be one that may hold a limit."""
    today = today or timezone.localdate()
    _require_underwriter(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    with action(actor):
        limit = (
            CreditLimit.objects.select_for_update(of=("self",))
            .select_related("policy", "buyer")
            .get(pk=limit_id)
        )
        buyer = _lock_buyer(limit.buyer_id)
        if limit.status != LimitStatus.SUSPENDED:
            raise LIMIT_MACHINE.refusal(limit.status, LimitAction.REINSTATE)
        try:
            _check_buyer_may_get_limit(buyer, limit.policy)
        except ValidationError as error:
            raise ValidationError(
                {"limit": ERROR_CANNOT_REINSTATE % {"why": "; ".join(error.messages)}}
            ) from error
        moved, _decision = limit_move(
            limit, LimitAction.REINSTATE, effective_on=today, actor=actor, reason=reason,
            today=today,
        )  # fmt: skip
        return moved


JOB_SUSPEND = "buyer-default"
JOB_POLICY_END = "policy-end"
JOB_NOTICE = "overdue-notice"
JOB_CARRY_OVER = "renewal-carry-over"


def limits_suspend_for_buyer(*, actor, buyer_id: int, today: date | None = None) -> int:
    """Grade 10 (default) suspends every existing limit on the buyer (SPEC 4)."""
    today = today or timezone.localdate()
    suspended = 0
    with action(actor):
        for limit in CreditLimit.objects.filter(buyer_id=buyer_id, status=LimitStatus.ACTIVE):
            moved, _decision = limit_move(
                limit, LimitAction.SUSPEND, effective_on=today, actor=actor, job=JOB_SUSPEND,
                reason=_("The buyer is in default (risk grade 10)."), today=today,
            )  # fmt: skip
            suspended += moved is not None
    return suspended


def limits_suspend_for_notice(
    *, actor, policy_id: int, buyer_id: int, notice_reference: str, today: date
) -> int:
    """An overdue notice suspends every limit on the buyer under the policy (SPEC 7):
    shipments from the day after filing are not covered."""
    suspended = 0
    with action(actor):
        limits = CreditLimit.objects.filter(
            policy_id=policy_id, buyer_id=buyer_id, status=LimitStatus.ACTIVE
        )
        for limit in limits:
            moved, _decision = limit_move(
                limit, LimitAction.SUSPEND, effective_on=today + timedelta(days=1), actor=actor,
                job=JOB_NOTICE, today=today,
                reason=_("Overdue notice %(reference)s filed.") % {"reference": notice_reference},
            )  # fmt: skip
            suspended += moved is not None
    return suspended


def limits_end_with_policy(*, policy_id: int, ended_on: date, actor=None, today=None) -> int:
    """Limits of an expired or cancelled policy end with it (SPEC 5); their open reviews
    close, since there is nothing left to review."""
    ended = 0
    for limit in CreditLimit.objects.filter(policy_id=policy_id, status__in=EXPOSURE_STATUSES):
        _end_limit(
            limit, LimitAction.END_WITH_POLICY, ended_on=ended_on, actor=actor,
            job=JOB_POLICY_END, today=today,
        )  # fmt: skip
        ended += 1
    for review in LimitReview.objects.filter(
        credit_limit__policy_id=policy_id, status=ReviewStatus.OPEN
    ):
        transitions.transition(
            REVIEW_MACHINE, review, ReviewAction.CLOSE, actor=actor, job=JOB_POLICY_END
        )
    return ended


def limits_carry_over(*, from_policy_id: int, to_policy_id: int, today: date, actor=None) -> int:
    """Renewal carries the limits current at the end of the old year into the new one.

    A suspended limit stays suspended; an active one is checked like any decision (the
    buyer may hold a limit; capacity), and one the checks refuse is not carried: the
    underwriters and the insured are told which and why. Idempotent:
    `carried_over_from` is one-to-one, so a second run copies nothing.
    """
    old_policy = Policy.objects.get(pk=from_policy_id)
    new_policy = Policy.objects.get(pk=to_policy_id)
    endings = (
        CreditLimitChange.objects.filter(
            credit_limit__policy_id=from_policy_id,
            action=LimitAction.END_WITH_POLICY,
            credit_limit__carried_over_to__isnull=True,
        )
        .select_related("credit_limit__buyer")
        .order_by("credit_limit__buyer_id")
    )
    copied, refused = 0, []
    for ending in endings:
        source = ending.credit_limit
        if source.expires_on and source.expires_on <= old_policy.period_end:
            continue  # a temporary limit that ran out on its own is not carried
        buyer = _lock_buyer(source.buyer_id)
        suspended = ending.from_status == LimitStatus.SUSPENDED
        if not suspended:
            try:
                _check_buyer_may_get_limit(buyer, new_policy)
                _check_capacity(buyer, policy_id=new_policy.pk, amount=source.amount)
            except ValidationError as error:
                refused.append((buyer, "; ".join(error.messages)))
                continue
        limit = CreditLimit(
            policy=new_policy,
            buyer=buyer,
            amount=source.amount,
            payment_terms_days=source.payment_terms_days,
            expires_on=source.expires_on,
            source=source.source,
            effective_from=new_policy.period_start,
            next_review_on=source.next_review_on,
            carried_over_from=source,
        )
        limit_move(
            limit,
            LimitAction.CARRY_OVER_SUSPENDED if suspended else LimitAction.CARRY_OVER,
            effective_on=new_policy.period_start, actor=actor, job=JOB_CARRY_OVER,
            today=today,
        )  # fmt: skip
        copied += 1
    if refused:
        _report_not_carried(new_policy, refused)
    return copied


def _report_not_carried(policy: Policy, refused: list) -> None:
    lines = "\n".join(f"{buyer.name} ({buyer.uscc}): {why}" for buyer, why in refused)
    subject = texts.NOT_CARRIED_OVER(policy=str(policy), count=len(refused))
    users = list(_insured_users(policy)) + list(
        User.objects.filter(role__in=UNDERWRITING_ROLES, is_active=True)
    )
    notify_users(
        users=users, subject_code=subject.code, params=subject.params, body=lines,
        url=policy.get_absolute_url(),
    )  # fmt: skip


# --- pending orders -------------------------------------------------------------------------


def pending_orders_request(
    *,
    actor,
    decision_id: int,
    requested_on: date,
    contract_reference: str,
    contract_signed_on: date,
    contract_amount: Decimal,
    today: date | None = None,
) -> PendingOrdersCover:
    """SPEC 5 pending-orders clause after a reduction or cancellation.

    Accepted requests keep the old limit for deliveries under that contract for three
    months after the notice (never beyond the policy's end); refused ones are recorded
    with the reasons and answered with a ValidationError naming the fields. The 8-day
    rule counts to the day the system receives the request, not the date the letter
    bears, which the insured could back-date.
    """
    today = today or timezone.localdate()
    with action(actor):
        decision = LimitDecision.objects.select_related("credit_limit", "policy").get(
            pk=decision_id
        )
        _require_insured(actor, decision.policy, SUBMITTER_ROLES)
        if requested_on > today:
            raise ValidationError({"requested_on": ERROR_FUTURE_REQUEST})
        if decision.response_code not in (ResponseCode.REDUCTION, ResponseCode.CANCELLATION):
            raise ValidationError({"decision": ERROR_NOT_REDUCED})
        if requested_on < decision.notice_on:
            raise ValidationError({"requested_on": ERROR_REQUEST_BEFORE_NOTICE})
        refusals = pending_orders_refusals(
            notice_on=decision.notice_on,
            requested_on=today,
            contract_signed_on=contract_signed_on,
            buyer_overdue=buyer_is_overdue(decision.buyer_id, today=today),
        )
        old_amount = decision.previous_amount
        cover = PendingOrdersCover(
            decision=decision,
            credit_limit=decision.credit_limit,
            requested_on=requested_on,
            received_on=today,
            contract_reference=contract_reference,
            contract_signed_on=contract_signed_on,
            contract_amount=contract_amount,
            requested_by=actor,
        )
        if refusals:
            cover.status = PendingOrdersStatus.REFUSED
            cover.refusal_reasons = "\n".join(str(r) for r in refusals.values())
        else:
            cover.status = PendingOrdersStatus.ACCEPTED
            cover.covered_amount = min(contract_amount, old_amount)
            cover.cover_until = min(
                pending_orders_cover_until(decision.notice_on), decision.policy.period_end
            )
        cover.save()
    if refusals:
        raise ValidationError(refusals)
    return cover


def limit_reduce(
    *,
    actor,
    limit_id: int,
    amount: Decimal,
    notice_on: date,
    effective_on: date | None = None,
    reason_code: str,
    conditions: str = "",
    today: date | None = None,
) -> LimitDecision:
    """A reduction only: an amount above zero and below the current limit (SPEC 5).

    A missing or zero amount is refused here, never read as a cancellation: cancelling is
    `limit_cancel`, its own action.
    """
    if amount is None or amount <= 0:
        raise ValidationError({"amount": ERROR_AMOUNT_POSITIVE})
    return limit_reduce_or_cancel(
        actor=actor, limit_id=limit_id, amount=amount, notice_on=notice_on,
        effective_on=effective_on, reason_code=reason_code, conditions=conditions, today=today,
    )  # fmt: skip


def limit_cancel(
    *,
    actor,
    limit_id: int,
    notice_on: date,
    effective_on: date | None = None,
    reason_code: str,
    conditions: str = "",
    today: date | None = None,
) -> LimitDecision:
    """The insurer cancels a limit with notice (SPEC 5): for shipments after the
    effective date, which defaults to the notice date."""
    return limit_reduce_or_cancel(
        actor=actor, limit_id=limit_id, amount=None, notice_on=notice_on,
        effective_on=effective_on, reason_code=reason_code, conditions=conditions, today=today,
    )  # fmt: skip
