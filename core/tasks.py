from celery import shared_task

from core import idempotency


@shared_task
def purge_idempotency_keys():
    """Hourly: keys older than IDEMPOTENCY_KEY_TTL are forgotten (core.idempotency)."""
    return idempotency.purge()
