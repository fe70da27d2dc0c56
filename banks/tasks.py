"""Periodic work of the banks app (SPEC 10)."""

from celery import shared_task

from banks.services import agreements_sweep


@shared_task(name="banks.tasks.sweep_agreements", acks_late=True)
def sweep_agreements() -> dict:
    """Agreements past their end date end; banks are warned of those ending soon."""
    return agreements_sweep()
