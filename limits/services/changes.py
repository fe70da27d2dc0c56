"""Reductions, cancellations, suspensions, policy end and renewal, pending orders (SPEC 5)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.services import action
from limits.choices import (
    EXPOSURE_STATUSES,
    LimitStatus,
    PendingOrdersStatus,
    RequestType,
    ResponseCode,
)
from limits.models import (
    CreditLimit,
    LimitDecision,
    PendingOrdersCover,
)
from limits.rules import (
    pending_orders_cover_until,
    pending_orders_refusals,
)
from limits.services.base import (
    ERROR_AMOUNT_POSITIVE,
    ERROR_EFFECTIVE,
    ERROR_EFFECTIVE_PAST,
    ERROR_FUTURE_REQUEST,
    ERROR_LIMIT_NOT_CURRENT,
    ERROR_NOT_REDUCED,
    ERROR_REDUCTION,
    SUBMITTER_ROLES,
    _change_amount,
    _end_limit,
    _record,
    _require_insured,
    _require_underwriter,
    buyer_is_overdue,
)
from policies.models import Policy


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
    """The insurer reduces (amount > 0) or cancels (amount None or 0) a limit (SPEC 5).

    It applies to shipments after the effective date, which defaults to the notice date;
    a later effective date is scheduled and applied by the daily sweep, and the insured
    is warned in advance (限额预撤销提醒).
    """
    today = today or timezone.localdate()
    _require_underwriter(actor)
    # By default the notice date; a notice recorded late takes effect today at the earliest.
    effective_on = effective_on or max(notice_on, today)
    if effective_on < notice_on:
        raise ValidationError({"effective_on": ERROR_EFFECTIVE})
    if effective_on < today:
        raise ValidationError({"effective_on": ERROR_EFFECTIVE_PAST})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": ERROR_AMOUNT_POSITIVE})
    with action(actor):
        limit = (
            CreditLimit.objects.select_for_update(of=("self",))
            .select_related("policy", "buyer")
            .get(pk=limit_id)
        )
        if limit.status not in EXPOSURE_STATUSES:
            raise ValidationError({"limit": ERROR_LIMIT_NOT_CURRENT})
        cancelling = not amount
        previous_amount = limit.amount
        if not cancelling and amount >= limit.amount:
            raise ValidationError({"amount": ERROR_REDUCTION % {"current": limit.amount}})
        if effective_on <= today:
            if cancelling:
                _end_limit(limit, LimitStatus.CANCELLED, today)
            else:
                _change_amount(limit, amount, today)
        else:
            limit.scheduled_amount = Decimal(0) if cancelling else amount
            limit.scheduled_effective_on = effective_on
            limit.save()
        return _record(
            policy=limit.policy,
            buyer=limit.buyer,
            credit_limit=limit,
            request_type=RequestType.CANCELLATION if cancelling else RequestType.REDUCTION,
            response_code=ResponseCode.CANCELLATION if cancelling else ResponseCode.REDUCTION,
            reason_code=reason_code,
            amount=None if cancelling else amount,
            previous_amount=previous_amount,
            payment_terms_days=limit.payment_terms_days,
            conditions=conditions,
            notice_on=notice_on,
            effective_on=effective_on,
            decided_by=actor,
        )


def limits_suspend_for_buyer(*, actor, buyer_id: int, today: date | None = None) -> int:
    """Grade 10 (default) suspends every existing limit on the buyer (SPEC 4)."""
    today = today or timezone.localdate()
    with action(actor):
        return CreditLimit.objects.filter(buyer_id=buyer_id, status=LimitStatus.ACTIVE).update(
            status=LimitStatus.SUSPENDED, updated_at=timezone.now()
        )


def limits_end_with_policy(*, policy_id: int, today: date) -> int:
    """Limits of an expired or cancelled policy end with it (SPEC 5)."""
    return CreditLimit.objects.filter(policy_id=policy_id, status__in=EXPOSURE_STATUSES).update(
        status=LimitStatus.EXPIRED, ended_on=today, updated_at=timezone.now()
    )


def limits_carry_over(*, from_policy_id: int, to_policy_id: int, today: date) -> int:
    """Renewal carries the limits current at the end of the old year into the new one.

    Idempotent: `carried_over_from` is one-to-one, so a second run copies nothing. The
    buyer's exposure is unchanged (the old limit ended as the new one starts).
    """
    old_policy = Policy.objects.get(pk=from_policy_id)
    sources = (
        CreditLimit.objects.filter(policy_id=from_policy_id)
        .filter(
            status__in=[*EXPOSURE_STATUSES, LimitStatus.EXPIRED],
            carried_over_to__isnull=True,
        )
        .exclude(ended_on__lt=old_policy.period_end)
    )
    copied = 0
    for source in sources:
        if (
            source.status == LimitStatus.EXPIRED
            and source.expires_on
            and source.expires_on <= old_policy.period_end
        ):
            continue  # a temporary limit that ran out on its own is not carried
        CreditLimit.objects.create(
            policy_id=to_policy_id,
            buyer_id=source.buyer_id,
            amount=source.amount,
            payment_terms_days=source.payment_terms_days,
            expires_on=source.expires_on,
            status=LimitStatus.ACTIVE,
            source=source.source,
            effective_from=today,
            next_review_on=source.next_review_on,
            carried_over_from=source,
        )
        copied += 1
    return copied


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
    months after the notice; refused ones are recorded with the reasons and answered
    with a ValidationError naming the fields.
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
        refusals = pending_orders_refusals(
            notice_on=decision.notice_on,
            requested_on=requested_on,
            contract_signed_on=contract_signed_on,
            buyer_overdue=buyer_is_overdue(decision.buyer_id, today=today),
        )
        old_amount = decision.previous_amount
        cover = PendingOrdersCover(
            decision=decision,
            credit_limit=decision.credit_limit,
            requested_on=requested_on,
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
            cover.cover_until = pending_orders_cover_until(decision.notice_on)
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
