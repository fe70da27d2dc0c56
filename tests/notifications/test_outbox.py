"""The outbox: side effects written with the change, delivered after commit, retried."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.choices import MAX_ATTEMPTS, OutboxKind, OutboxStatus
from notifications.models import Notification, OutboxMessage
from notifications.services import (
    notify_users,
    outbox_deliver,
    outbox_deliver_many,
    outbox_enqueue,
)
from notifications.tasks import deliver_outbox

pytestmark = pytest.mark.django_db

EMAIL = {"to": ["a@example.cn"], "subject": "限额决定", "body": "已批准"}


def test_a_committed_change_delivers_its_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(kind=OutboxKind.EMAIL, payload=EMAIL)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert [m.subject for m in mail.outbox] == ["限额决定"]


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                outbox_enqueue(kind=OutboxKind.EMAIL, payload=EMAIL)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_delivering_twice_sends_once():
    message = OutboxMessage.objects.create(
        kind=OutboxKind.EMAIL, payload=EMAIL, available_at=timezone.now()
    )
    assert outbox_deliver(message_id=message.pk) is True
    assert outbox_deliver(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_a_failure_is_retried_later_then_given_up(settings):
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.FailingBackend"
    message = OutboxMessage.objects.create(
        kind=OutboxKind.EMAIL, payload=EMAIL, available_at=timezone.now()
    )
    assert outbox_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.available_at > timezone.now() + timedelta(seconds=50)
    assert "SMTP down" in message.last_error
    # Not due yet: a direct call respects the back-off too.
    assert outbox_deliver(message_id=message.pk) is False
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=MAX_ATTEMPTS - 1, available_at=timezone.now()
    )
    outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED


def test_the_sweep_delivers_what_is_due_only():
    now = timezone.now()
    OutboxMessage.objects.create(kind=OutboxKind.EMAIL, payload=EMAIL, available_at=now)
    OutboxMessage.objects.create(
        kind=OutboxKind.EMAIL, payload=EMAIL, available_at=now + timedelta(hours=1)
    )
    assert deliver_outbox() == 1


def test_notify_users_writes_in_app_and_email(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_users(users=[personas["insured_a"]], subject="决定", body="已批准", url="/limits/")
    assert Notification.objects.get().recipient == personas["insured_a"]
    assert len(mail.outbox) == 1


def test_a_message_claimed_by_a_dead_worker_is_sent_after_its_lease():
    now = timezone.now()
    stuck = OutboxMessage.objects.create(
        kind=OutboxKind.EMAIL, payload=EMAIL, available_at=now, status=OutboxStatus.SENDING,
        claimed_until=now + timedelta(minutes=5), attempts=1,
    )  # fmt: skip
    assert deliver_outbox() == 0  # another worker may still be sending it
    OutboxMessage.objects.filter(pk=stuck.pk).update(claimed_until=now - timedelta(seconds=1))
    assert deliver_outbox() == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts, stuck.claimed_until) == (OutboxStatus.SENT, 2, None)
    assert len(mail.outbox) == 1


def test_the_email_is_sent_outside_the_claiming_transaction(settings):
    # The backend sees the row already claimed: no lock is held while it sends.
    from tests.notifications.failing_backend import RecordingBackend

    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.RecordingBackend"
    RecordingBackend.seen = []
    message = OutboxMessage.objects.create(
        kind=OutboxKind.EMAIL, payload=EMAIL, available_at=timezone.now()
    )
    assert outbox_deliver(message_id=message.pk)
    assert RecordingBackend.seen == [OutboxStatus.SENDING]


def test_a_batch_goes_over_one_connection_and_a_failure_stays_its_own(settings):
    from tests.notifications.failing_backend import RecordingBackend

    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.RecordingBackend"
    RecordingBackend.seen, RecordingBackend.opened, RecordingBackend.refuse = [], 0, "bad@x"
    now = timezone.now()
    messages = [
        OutboxMessage.objects.create(
            kind=OutboxKind.EMAIL, available_at=now, payload={**EMAIL, "to": [to]}
        )
        for to in ("a@x", "bad@x", "c@x")
    ]
    assert outbox_deliver_many(message_ids=[m.pk for m in messages]) == 2
    assert RecordingBackend.opened == 1
    statuses = [OutboxMessage.objects.get(pk=m.pk).status for m in messages]
    assert statuses == [OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.SENT]
    assert outbox_deliver_many(message_ids=[m.pk for m in messages]) == 0  # not due yet
