from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from premiums.models import DeclarationUpload
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


# An upload still being checked after this long lost its task (a broker restart, a worker
# killed past the broker's redelivery): it is queued again.
STALE_UPLOAD_MINUTES = 15


@shared_task
def resume_declaration_uploads() -> int:
    """Every quarter of an hour: queue again the uploads whose check never finished."""
    stale = DeclarationUpload.objects.filter(
        state=DeclarationUpload.State.CHECKING,
        created_at__lt=timezone.now() - timedelta(minutes=STALE_UPLOAD_MINUTES),
    ).values_list("pk", flat=True)
    count = 0
    for upload_id in stale:
        process_declaration_upload.delay(upload_id)
        count += 1
    return count
