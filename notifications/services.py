"""Writes for the outbox and in-app notifications."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from core import reactions
from core.copy import copy_insert
from core.texts import render_text
from notifications.choices import CLAIM_LEASE, MAX_ATTEMPTS, OutboxKind, OutboxStatus
from notifications.models import Notification, OutboxMessage

DELIVERY_BATCH = 500  # e-mails per delivery task


def outbox_enqueue(*, kind: str, payload: dict) -> OutboxMessage:
    """Record a side effect inside the caller's transaction; deliver it after commit."""
    message = OutboxMessage.objects.create(kind=kind, payload=payload, available_at=timezone.now())
    _deliver_on_commit([message.id])
    return message


def _deliver_on_commit(ids: list[int]) -> None:
    """One task per committed batch, not one per message: a sweep that tells 100,000
    insureds queues a few hundred tasks (the beat sweep delivers whatever a lost task left)."""
    from notifications.tasks import deliver_message, deliver_messages

    if len(ids) == 1:
        transaction.on_commit(lambda: deliver_message.delay(ids[0]))
    elif ids:
        transaction.on_commit(lambda: deliver_messages.delay(ids))


@dataclass(frozen=True)
class Message:
    """One notification to each of `users`: texts as codes of `core.texts` with JSON
    parameters (rendered in each reader's language), free text as the fallback."""

    users: Sequence
    subject_code: str = ""
    body_code: str = ""
    params: dict = field(default_factory=dict)
    url: str = ""
    subject: str = ""
    body: str = ""


def notify_users(
    *,
    users: Iterable,
    subject: str = "",
    body: str = "",
    url: str = "",
    subject_code: str = "",
    body_code: str = "",
    params: dict | None = None,
) -> None:
    """In-app notification plus an e-mail (through the outbox) for each user.

    Give texts as codes of `core.texts` with JSON parameters: the page renders them in the
    reader's language when shown, and the e-mail is written in the recipient's language.
    Free `subject`/`body` text is the fallback for a text without a code.
    """
    notify_many(
        [Message(users=list(users), subject_code=subject_code, body_code=body_code,
                 params=params or {}, url=url, subject=subject, body=body)]
    )  # fmt: skip


def notify_many(messages: Iterable[Message]) -> int:
    """`notify_users` for many messages at once (a sweep's batch): the notifications and
    the e-mails are each one COPY, the e-mails delivered by one task a batch after commit. Returns
    how many notifications it wrote."""
    notifications, emails, now = [], [], timezone.now()
    for message in messages:
        for user in message.users:
            with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
                staff = user.is_insurer_staff
                subject = render_text(
                    message.subject_code, message.params, staff=staff, fallback=message.subject
                )
                body = render_text(
                    message.body_code, message.params, staff=staff, fallback=message.body
                )
            notifications.append(
                Notification(
                    recipient=user,
                    subject=subject[:200],
                    body=body,
                    subject_code=message.subject_code,
                    body_code=message.body_code,
                    params=message.params,
                    url=message.url,
                )  # fmt: skip
            )
            if user.email:
                emails.append(
                    OutboxMessage(
                        kind=OutboxKind.EMAIL,
                        available_at=now,
                        payload={
                            "to": [user.email],
                            "subject": subject,
                            "body": f"{body}\n{message.url}".strip(),
                        },
                    )  # fmt: skip
                )
    copy_insert(Notification, notifications)
    copy_insert(OutboxMessage, emails)
    for start in range(0, len(emails), DELIVERY_BATCH):
        _deliver_on_commit([e.id for e in emails[start : start + DELIVERY_BATCH]])
    return len(notifications)


def notification_mark_read(*, user, notification_id: int) -> None:
    Notification.objects.filter(recipient=user, id=notification_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: those of `ids`, or all of them."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=list(ids))
    return unread.update(read_at=timezone.now())


def _email(payload: dict) -> EmailMessage:
    return EmailMessage(
        subject=payload["subject"], body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL, to=payload["to"],
    )  # fmt: skip


def _claimable(now) -> Q:
    """Pending and due, or claimed by a worker whose lease ran out (it died mid-send)."""
    return Q(status=OutboxStatus.PENDING, available_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lt=now
    )


def _claim(message_ids) -> list[OutboxMessage]:
    """Claim what of `message_ids` is claimable, in one short transaction: a lease for this
    worker (healthchecks' compare-and-set, many rows at once; rows another worker is
    claiming right now are skipped, not waited for)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(_claimable(now), id__in=message_ids)
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        OutboxMessage.objects.filter(id__in=ids).update(
            status=OutboxStatus.SENDING, claimed_until=now + CLAIM_LEASE,
            attempts=F("attempts") + 1,
        )  # fmt: skip
    return list(OutboxMessage.objects.filter(id__in=ids).order_by("id"))


def _failed(message: OutboxMessage, exc: Exception) -> None:
    gave_up = message.attempts >= MAX_ATTEMPTS
    OutboxMessage.objects.filter(id=message.id, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
        claimed_until=None,
        last_error=f"{type(exc).__name__}: {exc}",
        # Exponential back-off: 1, 2, 4 … minutes.
        available_at=timezone.now() + timedelta(minutes=2 ** (message.attempts - 1)),
    )


def outbox_deliver_many(*, message_ids) -> int:
    """Deliver these messages (those still to deliver); returns how many this call sent.

    The rows are claimed first and committed, and the e-mails go out after that over one
    connection to the mail server, so no transaction or row lock is held during slow I/O.
    Each message succeeds or fails on its own (a failure is recorded and retried with
    back-off). A worker killed mid-send leaves its rows claimed until the lease ends; then
    the beat sweep claims them again: at least once.
    """
    messages = _claim(message_ids)
    if not messages:
        return 0
    sent = []
    with get_connection(fail_silently=False) as connection:
        for message in messages:
            try:
                connection.send_messages([_email(message.payload)])
            except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
                _failed(message, exc)
            else:
                sent.append(message.id)
    OutboxMessage.objects.filter(id__in=sent, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None
    )
    return len(sent)


def outbox_deliver(*, message_id: int) -> bool:
    """Deliver one message; returns whether this call delivered it (`outbox_deliver_many`)."""
    return outbox_deliver_many(message_ids=[message_id]) == 1


def outbox_due_ids(*, limit: int) -> list[int]:
    """Ids of messages to deliver now, oldest first, in a bounded batch."""
    return list(
        OutboxMessage.objects.filter(_claimable(timezone.now()))
        .order_by("available_at", "id")
        .values_list("id", flat=True)[:limit]
    )


# The banks app (SPEC 8) answers this event: it records what happened in the feed of
# every bank whose agreement in force covers the buyer, and tells its users.
BANK_EVENT = "banks.tell"
BANK_EVENTS = "banks.tell_many"


def tell_banks(
    *, kind: str, policy_id: int, buyer_id: int | None, subject_code: str,
    params: dict | None = None, body_code: str = "", url: str = "", key: str = "",
) -> None:  # fmt: skip
    """Tell the banks financing this policy (and buyer) of a limit decision, a notice, a
    claim step or a payment, inside the caller's transaction; the e-mails leave through the
    outbox on commit. Apps below the banks call this instead of knowing of agreements.
    With a `key`, each bank is told of that event once however often it is told."""
    reactions.emit(
        BANK_EVENT, kind=kind, policy_id=policy_id, buyer_id=buyer_id,
        subject_code=subject_code, body_code=body_code, params=params or {}, url=url, key=key,
    )  # fmt: skip


def tell_banks_many(events: list[dict]) -> None:
    """`tell_banks(**event)` for each of `events` (a bulk move's), the banks app finding
    the agreements that cover all of them at once. Each event names its buyer."""
    if events:
        reactions.emit(BANK_EVENTS, events=events)
