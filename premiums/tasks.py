from celery import shared_task
from django.utils import timezone

from premiums.services import premiums_sweep


@shared_task
def sweep_premiums() -> dict:
    """Daily: instalments and limit fees to invoice, notes falling overdue, suspension for
    non-payment, year-end adjustments (SPEC 3.3, 6, 10)."""
    return premiums_sweep(today=timezone.localdate())
