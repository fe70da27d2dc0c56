"""The premium sweep (SPEC 10): run twice it does the work once; interrupted half-way
(a crash on one row), a rerun finishes the rest without repeating what was done."""

from datetime import date

import pytest

from policies.choices import PolicyStatus
from premiums import services
from premiums.choices import DebitNoteKind
from premiums.models import DebitNote
from premiums.services import account
from premiums.tasks import sweep_premiums
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


def test_sweep_twice_opens_each_account_once(insured_a, insured_b):
    policies = [
        PolicyFactory(insured=org, status=PolicyStatus.IN_FORCE) for org in (insured_a, insured_b)
    ]
    first = services.premiums_sweep(today=date(2026, 1, 2))
    second = services.premiums_sweep(today=date(2026, 1, 2))
    assert first["opened"] == 2 and second["opened"] == 0
    for policy in policies:
        assert policy.debit_notes.filter(kind=DebitNoteKind.INSTALMENT).count() == 4


def test_a_crash_half_way_is_finished_by_the_next_run(insured_a, insured_b, monkeypatch):
    first = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE)
    real = account.premium_account_open

    def crash_after_the_first(*, policy_id, **kwargs):
        if policy_id != first.pk:
            raise RuntimeError("worker killed")
        return real(policy_id=policy_id, **kwargs)

    monkeypatch.setattr(account, "premium_account_open", crash_after_the_first)
    with pytest.raises(RuntimeError):
        services.premiums_sweep(today=date(2026, 1, 2))
    # The row done before the crash stays done (its own transaction).
    assert DebitNote.objects.filter(policy=first).count() == 4
    monkeypatch.setattr(account, "premium_account_open", real)
    assert services.premiums_sweep(today=date(2026, 1, 2))["opened"] == 1
    assert DebitNote.objects.filter(kind=DebitNoteKind.INSTALMENT).count() == 8


def test_the_task_runs_the_sweep_for_today(insured_a):
    PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    result = sweep_premiums()
    assert result["opened"] == 1
