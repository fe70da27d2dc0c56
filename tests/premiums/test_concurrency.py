"""Two approvers declaring one quarter at once, and payments arriving together: real
threads on real PostgreSQL; the row locks and constraints keep one current declaration
and never let payments exceed a note."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.choices import Role
from policies.choices import PolicyStatus
from premiums import services
from premiums.choices import DeclarationStatus
from premiums.models import Declaration, Payment
from tests.factories import PolicyFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def _race(target, args_list):
    barrier = threading.Barrier(len(args_list))
    done, refused, errors = [], [], []

    def run(*args):
        try:
            barrier.wait()
            done.append(target(*args))
        except ValidationError as error:
            refused.append(error.message_dict)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, refused, errors


def test_concurrent_declarations_of_one_quarter_keep_one_current(insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    approvers = [
        UserFactory(organisation=insured_a, role=Role.APPROVER, authority_amount=0)
        for _ in range(THREADS)
    ]

    def declare(user):
        return services.declaration_prepare(
            actor=user, policy_id=policy.pk, quarter=1, turnover=Decimal("1000000"),
            submit=True, today=date(2026, 4, 10),
        )  # fmt: skip

    done, refused, errors = _race(declare, [(u,) for u in approvers])
    assert errors == []
    assert len(done) == 1
    assert len(refused) == THREADS - 1
    assert all("correction_reason" in r for r in refused)
    assert (
        Declaration.objects.filter(policy=policy, status=DeclarationStatus.SUBMITTED).count() == 1
    )


def test_concurrent_payments_never_exceed_the_note(insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    note = policy.debit_notes.get(sequence=1)  # 50,000
    staff = UserFactory(role=Role.UNDERWRITER)

    def pay(amount):
        return services.payment_record(
            actor=staff, debit_note_id=note.pk, amount=amount, paid_on=date(2026, 1, 5)
        )

    done, refused, errors = _race(pay, [(Decimal("20000"),)] * THREADS)
    assert errors == []
    assert len(done) == 2  # 40,000; a third would be 60,000 > 50,000
    assert all("amount" in r for r in refused)
    note.refresh_from_db()
    assert note.paid_amount == Decimal("40000")
    assert sum(p.amount for p in Payment.objects.filter(debit_note=note)) == Decimal("40000")


def test_two_overdue_instalments_paid_at_once_reinstate_the_policy(insured_a):
    from policies.models import Policy

    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    staff = UserFactory(role=Role.UNDERWRITER)
    services.premiums_sweep(today=date(2026, 5, 10))  # instalments 1 and 2 > 30 days overdue
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED
    notes = list(policy.debit_notes.filter(sequence__in=[1, 2]))

    def pay(note):
        return services.payment_record(
            actor=staff, debit_note_id=note.pk, amount=note.amount, paid_on=date(2026, 5, 10),
            today=date(2026, 5, 10),
        )  # fmt: skip

    done, refused, errors = _race(pay, [(note,) for note in notes])
    assert errors == [] and refused == [] and len(done) == 2
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_FORCE
