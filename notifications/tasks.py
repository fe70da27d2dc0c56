"""Thin tasks: they take ids and call a service."""

from celery import shared_task

from notifications.services import outbox_deliver, outbox_due_ids

SWEEP_BATCH = 200


@shared_task
def deliver_message(message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)


@shared_task
def deliver_messages(message_ids: list[int]) -> int:
    """A batch written together (a sweep's): each message claimed and sent on its own."""
    return sum(outbox_deliver(message_id=i) for i in message_ids)


@shared_task
def deliver_outbox() -> int:
    """Beat sweep: deliver what is due, in one bounded batch per run."""
    return sum(outbox_deliver(message_id=i) for i in outbox_due_ids(limit=SWEEP_BATCH))
