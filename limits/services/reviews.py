"""Limit reviews and the daily sweeps (SPEC 5, 10): bounded batches, safe to repeat."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from buyers.models import NegativeEvent
from core import transitions
from core.services import action
from core.sweeps import BATCH_SIZE, drain
from limits import texts
from limits.choices import (
    EXPOSURE_STATUSES,
    REVIEW_MACHINE,
    LimitAction,
    LimitStatus,
    ReasonCode,
    ResponseCode,
    ReviewAction,
    ReviewOutcome,
    ReviewReason,
    ReviewStatus,
)
from limits.models import (
    CreditLimit,
    LimitReview,
)
from limits.rules import (
    add_months,
)
from limits.services.base import (
    ERROR_AMOUNT_REQUIRED,
    ERROR_LIMIT_NOT_CURRENT,
    ERROR_REVIEW_DONE,
    EXPIRY_WARNING_DAYS,
    REVIEW_INTERVAL_MONTHS,
    _change_amount,
    _end_limit,
    _insured_users,
    _record,
    _require_underwriter,
    tell_banks_of_decision,
)
from limits.services.changes import limit_reduce_or_cancel
from notifications.services import notify_users

# --- reviews --------------------------------------------------------------------------------


def limit_review_complete(
    *,
    actor,
    review_id: int,
    outcome: str,
    amount: Decimal | None = None,
    notice_on: date | None = None,
    effective_on: date | None = None,
    reason_code: str = ReasonCode.NO_COMMENT,
    today: date | None = None,
) -> LimitReview:
    """The underwriter confirms, reduces or cancels a limit under review (SPEC 5)."""
    today = today or timezone.localdate()
    _require_underwriter(actor)
    with action(actor):
        review = (
            LimitReview.objects.select_for_update(of=("self",))
            .select_related("credit_limit__policy", "credit_limit__buyer")
            .get(pk=review_id)
        )
        if review.status != ReviewStatus.OPEN:
            raise ValidationError({"status": ERROR_REVIEW_DONE})
        limit = review.credit_limit
        if limit.status not in EXPOSURE_STATUSES:
            raise ValidationError({"limit": ERROR_LIMIT_NOT_CURRENT})
        if outcome == ReviewOutcome.CONFIRM:
            locked = CreditLimit.objects.select_for_update().get(pk=limit.pk)
            locked.next_review_on = add_months(today, REVIEW_INTERVAL_MONTHS)
            locked.save(update_fields=["next_review_on", "updated_at"])
            decision = _record(
                policy=limit.policy,
                buyer=limit.buyer,
                credit_limit=limit,
                request_type="",
                response_code=ResponseCode.APPROVED,
                reason_code=reason_code,
                amount=limit.amount,
                payment_terms_days=limit.payment_terms_days,
                notice_on=today,
                effective_on=today,
                decided_by=actor,
                explanation=texts.EXPLAIN_REVIEW_CONFIRMED(),
            )
        elif outcome in (ReviewOutcome.REDUCE, ReviewOutcome.CANCEL):
            if outcome == ReviewOutcome.REDUCE and not amount:
                raise ValidationError({"amount": ERROR_AMOUNT_REQUIRED})
            decision = limit_reduce_or_cancel(
                actor=actor,
                limit_id=limit.pk,
                amount=amount if outcome == ReviewOutcome.REDUCE else None,
                notice_on=notice_on or today,
                effective_on=effective_on,
                reason_code=reason_code,
                today=today,
            )
        else:
            raise ValidationError({"outcome": _("Choose an outcome.")})
        transitions.transition(
            REVIEW_MACHINE,
            review,
            ReviewAction.COMPLETE,
            actor=actor,
            cause=decision,
            changes={
                "outcome": outcome,
                "decision": decision,
                "completed_by": actor,
                "completed_at": timezone.now(),
            },
        )
    return review


# --- sweeps (SPEC 10): bounded batches, each row claimed by compare-and-set ---------------------


JOB_REVIEWS = "open-limit-reviews"
JOB_SCHEDULED = "apply-scheduled-limit-changes"
JOB_EXPIRY = "expire-limits"


def _open_review(**fields) -> bool:
    """Open one review; a concurrent run that opened it first wins (unique constraints)."""
    try:
        with transaction.atomic():
            transitions.create(
                REVIEW_MACHINE, LimitReview(**fields), ReviewAction.OPEN, job=JOB_REVIEWS
            )
    except IntegrityError:
        return False
    return True


def limit_reviews_open_due(*, today: date, batch_size: int = BATCH_SIZE) -> int:
    """Open yearly reviews that are due and event reviews for new negative events.

    Drains in batches. Idempotent: a limit with an open yearly review is no longer due,
    unique constraints stop a concurrent run from doubling, and an event is claimed by
    compare-and-set in the same transaction that opens its reviews. Returns how many
    limits were put under review.
    """
    open_yearly = LimitReview.objects.filter(
        credit_limit=OuterRef("pk"), reason=ReviewReason.YEARLY, status=ReviewStatus.OPEN
    )
    due = CreditLimit.objects.filter(status=LimitStatus.ACTIVE, next_review_on__lte=today).filter(
        ~Exists(open_yearly)
    )

    def open_yearly_review(limit_id: int) -> bool:
        on = CreditLimit.objects.values_list("next_review_on", flat=True).get(pk=limit_id)
        return _open_review(credit_limit_id=limit_id, reason=ReviewReason.YEARLY, due_on=on)

    opened = drain(due, open_yearly_review, batch_size=batch_size)

    def open_event_reviews(event_id: int) -> bool:
        nonlocal opened
        with transaction.atomic():
            claimed = NegativeEvent.objects.filter(
                pk=event_id, reviews_opened_at__isnull=True
            ).update(reviews_opened_at=timezone.now())
            if not claimed:
                return False
            event = NegativeEvent.objects.get(pk=event_id)
            limit_ids = CreditLimit.objects.filter(
                buyer_id=event.buyer_id, status__in=EXPOSURE_STATUSES
            ).values_list("id", flat=True)
            for limit_id in limit_ids:
                opened += _open_review(
                    credit_limit_id=limit_id,
                    reason=ReviewReason.NEGATIVE_EVENT,
                    negative_event=event,
                    due_on=today,
                )
        return True

    drain(
        NegativeEvent.objects.filter(reviews_opened_at__isnull=True),
        open_event_reviews,
        batch_size=batch_size,
    )
    return opened


def limits_apply_scheduled(*, today: date, batch_size: int = BATCH_SIZE) -> int:
    """Apply reductions and cancellations whose effective date has come (drains)."""
    due = CreditLimit.objects.filter(
        scheduled_effective_on__lte=today, status__in=EXPOSURE_STATUSES
    )

    def apply(limit_id: int) -> bool:
        with transaction.atomic():
            row = (
                CreditLimit.objects.select_for_update(skip_locked=True)
                .filter(pk=limit_id, scheduled_effective_on__lte=today)
                .first()
            )
            if row is None:
                return False  # applied meanwhile, or being applied by another run
            # The cut applies from its effective date, even if this sweep runs late, and
            # its history row links the decision that gave notice of it.
            on = row.scheduled_effective_on
            notice = row.changes.filter(action=LimitAction.SCHEDULE).order_by("-id").first()
            caused_by = notice.decision if notice else None
            if row.scheduled_amount:
                _change_amount(
                    row, row.scheduled_amount, effective_on=on, job=JOB_SCHEDULED,
                    caused_by=caused_by,
                )  # fmt: skip
            else:
                _end_limit(
                    row, LimitAction.CANCEL, ended_on=on, job=JOB_SCHEDULED, caused_by=caused_by
                )
            if caused_by is not None:
                tell_banks_of_decision(caused_by)
        return True

    return drain(due, apply, batch_size=batch_size)


def limits_expire_due(*, today: date, batch_size: int = BATCH_SIZE) -> int:
    """Temporary limits end after their expiry date (drains; compare-and-set per row)."""
    due = CreditLimit.objects.filter(status__in=EXPOSURE_STATUSES, expires_on__lt=today)

    def expire(limit_id: int) -> bool:
        row = CreditLimit.objects.filter(pk=limit_id).first()
        if row is None or row.status not in EXPOSURE_STATUSES:
            return False
        moved, _decision = _end_limit(
            row, LimitAction.EXPIRE, ended_on=row.expires_on + timedelta(days=1),
            job=JOB_EXPIRY, claim=True,
        )  # fmt: skip
        return moved is not None

    return drain(due, expire, batch_size=batch_size)


def limits_warn_expiring(*, today: date, batch_size: int = BATCH_SIZE) -> int:
    """Warn the insured 30 days ahead of a limit's expiry, once each (drains)."""
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    due = CreditLimit.objects.filter(
        status=LimitStatus.ACTIVE,
        expires_on__lte=horizon,
        expires_on__gte=today,
        expiry_warned_on__isnull=True,
    )

    def warn(limit_id: int) -> bool:
        with transaction.atomic():
            claimed = CreditLimit.objects.filter(pk=limit_id, expiry_warned_on__isnull=True).update(
                expiry_warned_on=today
            )
            if not claimed:
                return False
            row = CreditLimit.objects.select_related("policy", "buyer").get(pk=limit_id)
            warning = texts.EXPIRY_WARNING(buyer=row.buyer.name, date=row.expires_on)
            notify_users(
                users=_insured_users(row.policy),
                subject_code=warning.code,
                body_code=texts.EXPIRY_WARNING_BODY.code,
                params=warning.params,
                url=row.get_absolute_url(),
            )
        return True

    return drain(due, warn, batch_size=batch_size)
