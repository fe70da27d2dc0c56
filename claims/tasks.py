from celery import shared_task
from django.utils import timezone

from claims.services import claims_waiting_sweep, notices_sweep


@shared_task
def sweep_claims() -> dict:
    """Daily: claims whose waiting period ended move to assessment; notices whose
    repayment-plan instalment was missed get their deadline brought forward (SPEC 7, 10).
    Both are safe to run twice and resume after a crash."""
    today = timezone.localdate()
    return {
        "waiting_ended": claims_waiting_sweep(today=today),
        "notice_deadlines_moved": notices_sweep(today=today),
    }
