"""Daily limit sweeps (SPEC 10): thin tasks over idempotent services."""

from celery import shared_task
from django.utils import timezone

from limits import services


@shared_task
def apply_scheduled_limit_changes() -> int:
    return services.limits_apply_scheduled(today=timezone.localdate())


@shared_task
def expire_limits() -> int:
    return services.limits_expire_due(today=timezone.localdate())


@shared_task
def warn_expiring_limits() -> int:
    return services.limits_warn_expiring(today=timezone.localdate())


@shared_task
def open_limit_reviews() -> int:
    return services.limit_reviews_open_due(today=timezone.localdate())
