from celery import shared_task
from django.utils import timezone

from policies.services import policies_due_for_renewal, policies_expire_due, policy_renew_safely

RENEWAL_WINDOW_DAYS = 30
BATCH = 500


@shared_task
def renew_policies() -> int:
    """Create next year's quote for auto-renewing policies ending within 30 days."""
    today = timezone.localdate()
    ids = policies_due_for_renewal(today=today, window_days=RENEWAL_WINDOW_DAYS, limit=BATCH)
    return sum(policy_renew_safely(actor=None, policy_id=i) is not None for i in ids)


@shared_task
def expire_policies() -> int:
    """Expire ended policy years and bring their renewals into force."""
    return policies_expire_due(today=timezone.localdate(), limit=BATCH)
