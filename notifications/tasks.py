"""Thin tasks: they take ids and call a service."""

from celery import shared_task

from notifications.services import outbox_deliver, outbox_deliver_many, outbox_due_ids

SWEEP_BATCH = 1000  # a run every 30 s: what lost tasks left, 2,000 a minute


@shared_task
def deliver_message(message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)


@shared_task
def deliver_messages(message_ids: list[int]) -> int:
    """A batch written together (a sweep's): claimed at once and sent over one
    connection, each message succeeding or failing on its own."""
    return outbox_deliver_many(message_ids=message_ids)


@shared_task
def deliver_outbox() -> int:
    """Beat sweep: deliver what is due, in one bounded batch per run."""
    return outbox_deliver_many(message_ids=outbox_due_ids(limit=SWEEP_BATCH))
