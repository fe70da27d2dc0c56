"""The deadline engine (SPEC 7 "Deadline reminders", 10): reminders ahead of each
deadline and one after a miss, each sent once however often the sweep runs."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from deadlines.choices import DeadlineKind, DeadlineStatus
from deadlines.models import Deadline
from deadlines.selectors import due_next
from deadlines.services import deadline_meet, deadlines_sweep
from notifications.models import Notification, OutboxMessage
from policies.choices import PolicyStatus
from premiums.services import premium_account_open
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(insured_a, personas):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    Notification.objects.all().delete()
    return policy


def _q3_reminders(user):
    return Notification.objects.filter(recipient=user, subject__contains="Q3")


def test_reminders_7_and_1_days_ahead_then_missed_each_once(policy, personas):
    approver, clerk = personas["insured_a"], personas["insured_a_clerk"]
    # Q3 (Jul–Sep) is due 2026-10-15.
    for day in (date(2026, 10, 7), date(2026, 10, 8), date(2026, 10, 8)):
        deadlines_sweep(today=day, reminder_days=[7, 1])
    assert _q3_reminders(approver).count() == 1
    assert _q3_reminders(clerk).count() == 1
    deadlines_sweep(today=date(2026, 10, 14), reminder_days=[7, 1])
    deadlines_sweep(today=date(2026, 10, 14), reminder_days=[7, 1])
    assert _q3_reminders(approver).count() == 2
    result = deadlines_sweep(today=date(2026, 10, 16), reminder_days=[7, 1])
    assert result["missed"] >= 1
    deadlines_sweep(today=date(2026, 10, 17), reminder_days=[7, 1])
    assert _q3_reminders(approver).count() == 3
    q3 = Deadline.objects.get(policy=policy, kind=DeadlineKind.DECLARATION, key="Q3")
    assert q3.status == DeadlineStatus.MISSED
    assert not Notification.objects.filter(recipient=personas["insured_b"]).exists()
    # Declared late: met, and shown as late.
    deadline_meet(kind=DeadlineKind.DECLARATION, subject=policy, key="Q3", on=date(2026, 10, 20))
    q3.refresh_from_db()
    assert (q3.status, q3.is_late) == (DeadlineStatus.MET, True)


def test_a_deadline_created_the_day_before_gets_one_reminder(policy, personas):
    deadlines_sweep(today=date(2026, 10, 14), reminder_days=[7, 1])
    deadlines_sweep(today=date(2026, 10, 14), reminder_days=[7, 1])
    assert _q3_reminders(personas["insured_a"]).count() == 1


def test_due_next_is_scoped_and_counts_days(policy, personas):
    rows = due_next(personas["insured_a"], today=date(2026, 9, 15))
    assert rows[0].kind == DeadlineKind.INSTALMENT and rows[0].days_left < 0  # 1 Jan, unpaid
    assert any(r.key == "Q3" and r.days_left == 30 for r in rows)
    assert due_next(personas["insured_b"], today=date(2026, 9, 15)) == []
    assert due_next(personas["bank"], today=date(2026, 9, 15)) == []


def test_a_moved_deadline_is_reminded_again_before_its_new_date(policy, personas):
    from deadlines.services import deadline_set

    deadlines_sweep(today=date(2026, 10, 14), reminder_days=[7, 1])
    assert _q3_reminders(personas["insured_a"]).count() == 1
    deadline = Deadline.objects.get(policy=policy, kind=DeadlineKind.DECLARATION, key="Q3")
    deadline_set(
        kind=deadline.kind, party=deadline.party, policy=policy, subject=policy, key="Q3",
        due_on=date(2026, 10, 25), detail=deadline.detail,
    )  # fmt: skip
    deadlines_sweep(today=date(2026, 10, 24), reminder_days=[7, 1])
    assert _q3_reminders(personas["insured_a"]).count() == 2


def test_a_sweep_in_small_batches_moves_and_tells_each_once(policy, personas):
    """Q1-Q3 are past due on 2026-10-16: missed in batches of one, told once each."""
    before = OutboxMessage.objects.count()
    result = deadlines_sweep(today=date(2026, 10, 16), reminder_days=[], batch_size=1)
    missed = Deadline.objects.filter(policy=policy, status=DeadlineStatus.MISSED)
    assert result["missed"] == missed.count() >= 3
    approver = personas["insured_a"]
    assert Notification.objects.filter(recipient=approver).count() == missed.count()
    assert OutboxMessage.objects.count() - before == Notification.objects.count()
    assert deadlines_sweep(today=date(2026, 10, 16), reminder_days=[], batch_size=1) == {
        "missed": 0, "reminded": 0,
    }  # fmt: skip
    for deadline in missed:
        assert deadline.changes.filter(action="miss").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_deadline_locked_by_another_transaction_is_left_for_the_next_run(policy):
    """FOR UPDATE SKIP LOCKED: a second sweeper (or a user's transaction) holding a row
    makes this sweep take the others instead of waiting; the row is swept next time."""
    due = Deadline.objects.filter(policy=policy, due_on__lt=date(2026, 10, 16)).order_by("pk")
    held = due.first()
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Deadline.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(30)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(30)
    try:
        first = deadlines_sweep(today=date(2026, 10, 16), reminder_days=[])
    finally:
        release.set()
        thread.join()
    assert first["missed"] == due.count() - 1
    held.refresh_from_db()
    assert held.status == DeadlineStatus.OPEN
    assert deadlines_sweep(today=date(2026, 10, 16), reminder_days=[])["missed"] == 1
    held.refresh_from_db()
    assert held.status == DeadlineStatus.MISSED
