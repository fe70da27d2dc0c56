from celery import shared_task
from django.utils import timezone

from deadlines.services import deadlines_sweep


@shared_task
def sweep_deadlines() -> dict:
    """Daily: reminders before every deadline and a flag after each miss, each once."""
    return deadlines_sweep(today=timezone.localdate())
