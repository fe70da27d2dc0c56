from celery import shared_task
from django.utils import timezone

from policies.services import policies_expire_due, policies_renew_due

RENEWAL_WINDOW_DAYS = 30


@shared_task
def renew_policies() -> int:
    """Create next year's quote for auto-renewing policies ending within 30 days."""
    return policies_renew_due(today=timezone.localdate(), window_days=RENEWAL_WINDOW_DAYS)


@shared_task
def expire_policies() -> int:
    """Expire ended policy years and bring their renewals into force."""
    return policies_expire_due(today=timezone.localdate())
