"""What the home pages show of claims (SPEC 7, 10): for claims staff the claims whose
clocks fall due soonest or are missed; for the insured its open claims and the notice
deadlines of its overdue accounts. The deadline engine's "due next" lists the dates
themselves; these add the claim's own state beside them."""

from django.db.models import F

from claims.choices import OPEN_CLAIM_STATUSES, ClaimStatus, NoticeStatus
from claims.selectors import claim_clocks, claim_queue, notices_visible_to

HOME_ROWS = 8
# Claims whose clocks still run: the open ones, and approved ones until paid.
RUNNING = sorted({*OPEN_CLAIM_STATUSES, ClaimStatus.APPROVED})


def _with_next_clock(claims, today, user):
    rows = []
    for claim in claims:
        pending = [c for c in claim_clocks(claim, today=today, user=user) if c.pending]
        claim.next_clock = min(pending, key=lambda c: c.days_left, default=None)
        rows.append(claim)
    return rows


def _soonest_first(queryset):
    # The queue's `next_due_on`: the earliest clock still running on the claim.
    return queryset.order_by(F("next_due_on").asc(nulls_last=True), "pk")


def claims_due_soonest(user, *, today, limit=HOME_ROWS):
    claims = _soonest_first(claim_queue(user, today=today).filter(status__in=RUNNING))[:limit]
    rows = _with_next_clock(claims, today, user)
    return sorted(rows, key=lambda c: (c.next_clock is None, getattr(c.next_clock, "days_left", 0)))


def insured_open_claims(user, *, today, limit=HOME_ROWS):
    claims = _soonest_first(claim_queue(user, today=today).filter(status__in=RUNNING))[:limit]
    return _with_next_clock(claims, today, user)


def notice_deadlines(user, *, today, limit=HOME_ROWS):
    """The insured's overdue accounts still in draft, the nearest notice deadline first."""
    notices = list(
        notices_visible_to(user)
        .filter(status=NoticeStatus.DRAFT, deadline_on__isnull=False)
        .select_related("buyer")
        .order_by("deadline_on", "pk")[:limit]
    )
    for notice in notices:
        notice.days_left = (notice.deadline_on - today).days
    return notices
