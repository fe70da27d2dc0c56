from celery import shared_task
from django.utils import timezone

from premiums.services import premiums_sweep
from premiums.uploads import upload_process


@shared_task
def sweep_premiums() -> dict:
    """Daily: instalments and limit fees to invoice, notes falling overdue, suspension for
    non-payment, year-end adjustments (SPEC 3.3, 6, 10)."""
    return premiums_sweep(today=timezone.localdate())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def process_declaration_upload(upload_id: int) -> str:
    """Check a declarations file as a whole and load it or refuse it (premiums.uploads).
    Safe to repeat: the upload row holds the state and a finished upload is left alone."""
    return upload_process(upload_id=upload_id).state
