"""Writes for the outbox and in-app notifications."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from notifications.choices import MAX_ATTEMPTS, OutboxKind, OutboxStatus
from notifications.models import Notification, OutboxMessage


def outbox_enqueue(*, kind: str, payload: dict) -> OutboxMessage:
    """Record a side effect inside the caller's transaction; deliver it after commit."""
    message = OutboxMessage.objects.create(kind=kind, payload=payload, available_at=timezone.now())

    def _kick():
        from notifications.tasks import deliver_message

        deliver_message.delay(message.id)

    transaction.on_commit(_kick)
    return message


def notify_users(*, users: Iterable, subject: str, body: str = "", url: str = "") -> None:
    """In-app notification plus an e-mail (through the outbox) for each user."""
    for user in users:
        Notification.objects.create(recipient=user, subject=subject, body=body, url=url)
        if user.email:
            outbox_enqueue(
                kind=OutboxKind.EMAIL,
                payload={"to": [user.email], "subject": subject, "body": f"{body}\n{url}".strip()},
            )


def notification_mark_read(*, user, notification_id: int) -> None:
    Notification.objects.filter(recipient=user, id=notification_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _deliver_email(payload: dict) -> None:
    send_mail(
        subject=payload["subject"],
        message=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=payload["to"],
        fail_silently=False,
    )


HANDLERS = {OutboxKind.EMAIL: _deliver_email}


def outbox_deliver(*, message_id: int) -> bool:
    """Deliver one pending message; returns whether this call delivered it.

    The row is locked with SKIP LOCKED, so two workers never deliver the same message,
    and it is marked sent in the same transaction that delivered it. A worker killed
    mid-delivery leaves the row pending for the sweep: delivery is at least once.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(id=message_id, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            HANDLERS[message.kind](message.payload)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            message.last_error = f"{type(exc).__name__}: {exc}"
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
            else:
                # Exponential back-off: 1, 2, 4 … minutes.
                message.available_at = timezone.now() + timedelta(
                    minutes=2 ** (message.attempts - 1)
                )
            message.save(update_fields=["attempts", "last_error", "status", "available_at"])
            return False
        message.status = OutboxStatus.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at"])
        return True


def outbox_due_ids(*, limit: int) -> list[int]:
    """Ids of pending messages that are due, oldest first, in a bounded batch."""
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, available_at__lte=timezone.now())
        .order_by("available_at", "id")
        .values_list("id", flat=True)[:limit]
    )
