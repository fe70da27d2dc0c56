"""Limit reviews and the daily sweeps (SPEC 5, 10): bounded batches, safe to repeat."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from buyers.models import NegativeEvent
from core.services import action
from limits import texts
from limits.choices import (
    EXPOSURE_STATUSES,
    LimitStatus,
    ReasonCode,
    ResponseCode,
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
            locked.save()
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
        review.status = ReviewStatus.DONE
        review.outcome = outcome
        review.decision = decision
        review.completed_by = actor
        review.completed_at = timezone.now()
        review.save()
    return review


# --- sweeps (SPEC 10): bounded batches, each row claimed by compare-and-set ---------------------


def limit_reviews_open_due(*, today: date, limit: int = 500) -> int:
    """Open yearly reviews that are due and event reviews for new negative events.

    Idempotent: a limit with an open yearly review is skipped, unique constraints stop
    a concurrent run from doubling (ON CONFLICT DO NOTHING), and an event is claimed by
    compare-and-set in the same transaction that opens its reviews. Returns how many
    limits were put under review.
    """
    open_yearly = LimitReview.objects.filter(
        credit_limit=OuterRef("pk"), reason=ReviewReason.YEARLY, status=ReviewStatus.OPEN
    )
    due = list(
        CreditLimit.objects.filter(status=LimitStatus.ACTIVE, next_review_on__lte=today)
        .filter(~Exists(open_yearly))
        .order_by("next_review_on", "id")
        .values_list("id", "next_review_on")[:limit]
    )
    LimitReview.objects.bulk_create(
        [LimitReview(credit_limit_id=i, reason=ReviewReason.YEARLY, due_on=on) for i, on in due],
        ignore_conflicts=True,
    )
    opened = len(due)
    events = NegativeEvent.objects.filter(reviews_opened_at__isnull=True).order_by("recorded_at")
    for event in list(events[:limit]):
        with transaction.atomic():
            claimed = NegativeEvent.objects.filter(
                pk=event.pk, reviews_opened_at__isnull=True
            ).update(reviews_opened_at=timezone.now())
            if not claimed:
                continue
            limit_ids = list(
                CreditLimit.objects.filter(
                    buyer_id=event.buyer_id, status__in=EXPOSURE_STATUSES
                ).values_list("id", flat=True)
            )
            LimitReview.objects.bulk_create(
                [
                    LimitReview(
                        credit_limit_id=i,
                        reason=ReviewReason.NEGATIVE_EVENT,
                        negative_event=event,
                        due_on=today,
                    )
                    for i in limit_ids
                ],
                ignore_conflicts=True,
            )
            opened += len(limit_ids)
    return opened


def limits_apply_scheduled(*, today: date, limit: int = 500) -> int:
    """Apply reductions and cancellations whose effective date has come."""
    done = 0
    ids = list(
        CreditLimit.objects.filter(
            scheduled_effective_on__lte=today, status__in=EXPOSURE_STATUSES
        ).values_list("id", flat=True)[:limit]
    )
    for limit_id in ids:
        with transaction.atomic():
            row = (
                CreditLimit.objects.select_for_update(skip_locked=True)
                .filter(pk=limit_id, scheduled_effective_on__lte=today)
                .first()
            )
            if row is None:
                continue
            if row.scheduled_amount:
                _change_amount(row, row.scheduled_amount, today)
            else:
                _end_limit(row, LimitStatus.CANCELLED, today)
            done += 1
    return done


def limits_expire_due(*, today: date, limit: int = 500) -> int:
    """Temporary limits end after their expiry date."""
    ids = list(
        CreditLimit.objects.filter(status=LimitStatus.ACTIVE, expires_on__lt=today).values_list(
            "id", flat=True
        )[:limit]
    )
    return CreditLimit.objects.filter(pk__in=ids, status=LimitStatus.ACTIVE).update(
        status=LimitStatus.EXPIRED, ended_on=today, updated_at=timezone.now()
    )


def limits_warn_expiring(*, today: date, limit: int = 500) -> int:
    """Warn the insured 30 days ahead of a limit's expiry or scheduled cut, once each."""
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    candidates = list(
        CreditLimit.objects.filter(
            status=LimitStatus.ACTIVE,
            expires_on__lte=horizon,
            expires_on__gte=today,
            expiry_warned_on__isnull=True,
        ).select_related("policy", "buyer")[:limit]
    )
    warned = 0
    for row in candidates:
        with transaction.atomic():
            claimed = CreditLimit.objects.filter(pk=row.pk, expiry_warned_on__isnull=True).update(
                expiry_warned_on=today
            )
            if not claimed:
                continue
            warning = texts.EXPIRY_WARNING(buyer=row.buyer.name, date=row.expires_on)
            notify_users(
                users=_insured_users(row.policy),
                subject_code=warning.code,
                body_code=texts.EXPIRY_WARNING_BODY.code,
                params=warning.params,
                url=row.get_absolute_url(),
            )
            warned += 1
    return warned
