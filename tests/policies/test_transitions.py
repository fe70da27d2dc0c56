"""SPEC 3.3 lifecycle: allowed moves, refused moves, and the record each one leaves."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.utils import ProgrammingError

from policies.choices import MANUAL_ACTIONS, POLICY_MACHINE, PolicyAction, PolicyStatus
from policies.models import Policy, PolicyTransition
from policies.services import (
    policy_create,
    policy_override_warning,
    policy_transition,
    policy_update,
)
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

ALL_STATUSES = [s for s, _ in PolicyStatus.choices]


def _new_policy(underwriter, insured, **extra):
    fields = dict(
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        estimated_annual_turnover=Decimal("50000000"),
        premium_rate_percent=Decimal("0.5"),
        annual_credit_turnover=Decimal("60000000"),
        buyer_count=10,
    )
    fields.update(extra)
    return policy_create(actor=underwriter, insured=insured, **fields)


def test_create_derives_minimum_premium_and_maximum_liability(underwriter, insured_a):
    policy = _new_policy(underwriter, insured_a)
    assert policy.status == PolicyStatus.DRAFT
    assert policy.minimum_premium == Decimal("200000.00")
    assert policy.max_liability == Decimal("10000000.00")
    assert policy.policy_number.startswith("TCI2026")
    assert policy.indemnity_percentage == Decimal("90.00")
    assert policy.franchise == Decimal("3000.00")
    assert policy.limit_fee == Decimal("828.00")


def test_a_credit_period_over_365_days_is_refused_naming_the_field(underwriter, insured_a):
    with pytest.raises(ValidationError) as info:
        _new_policy(underwriter, insured_a, max_credit_period_days=366)
    assert "max_credit_period_days" in info.value.message_dict
    assert not Policy.objects.exists()


def test_a_bank_cannot_be_the_insured(underwriter, bank_org):
    with pytest.raises(ValidationError) as info:
        _new_policy(underwriter, bank_org)
    assert "insured" in info.value.message_dict


@pytest.mark.parametrize("action_name", MANUAL_ACTIONS)
@pytest.mark.parametrize("start", ALL_STATUSES)
def test_every_cell_of_the_transition_table(underwriter, insured_a, action_name, start):
    policy = PolicyFactory(insured=insured_a, status=start)
    target = POLICY_MACHINE.target(start, action_name)
    if target is not None:
        moved = policy_transition(
            actor=underwriter, policy_id=policy.pk, action_name=action_name, reason="测试"
        )
        assert moved.status == target
        row = PolicyTransition.objects.get(policy=policy)
        assert (row.from_status, row.to_status, row.actor) == (start, target, underwriter)
    else:
        with pytest.raises(ValidationError) as info:
            policy_transition(
                actor=underwriter, policy_id=policy.pk, action_name=action_name, reason="测试"
            )
        assert "action" in info.value.message_dict
        policy.refresh_from_db()
        assert policy.status == start
        assert not PolicyTransition.objects.filter(policy=policy).exists()


def test_cancel_needs_a_reason(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    with pytest.raises(ValidationError) as info:
        policy_transition(actor=underwriter, policy_id=policy.pk, action_name=PolicyAction.CANCEL)
    assert "reason" in info.value.message_dict


def test_issue_is_refused_until_every_warning_is_overridden(underwriter, insured_a):
    policy = _new_policy(underwriter, insured_a, buyer_count=2)
    policy_transition(actor=underwriter, policy_id=policy.pk, action_name=PolicyAction.QUOTE)
    with pytest.raises(ValidationError):
        policy_transition(actor=underwriter, policy_id=policy.pk, action_name=PolicyAction.ISSUE)
    policy_override_warning(
        actor=underwriter, policy_id=policy.pk, code="few_buyers", reason="集团内另有两家买方"
    )
    issued = policy_transition(
        actor=underwriter, policy_id=policy.pk, action_name=PolicyAction.ISSUE
    )
    assert issued.status == PolicyStatus.IN_FORCE


def test_an_override_needs_a_reason_and_a_real_warning(underwriter, insured_a):
    policy = _new_policy(underwriter, insured_a)
    with pytest.raises(ValidationError) as info:
        policy_override_warning(
            actor=underwriter, policy_id=policy.pk, code="few_buyers", reason="x"
        )
    assert "code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        policy_override_warning(
            actor=underwriter, policy_id=policy.pk, code="few_buyers", reason="  "
        )
    assert "reason" in info.value.message_dict


def test_schedule_edits_stop_once_in_force(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    with pytest.raises(ValidationError):
        policy_update(actor=underwriter, policy_id=policy.pk, premium_rate_percent=Decimal("0.6"))


def test_editing_a_draft_recomputes_the_derived_amounts(underwriter, insured_a):
    policy = _new_policy(underwriter, insured_a)
    policy = policy_update(
        actor=underwriter, policy_id=policy.pk, premium_rate_percent=Decimal("0.42")
    )
    assert policy.minimum_premium == Decimal("168000.00")


def test_the_transition_record_cannot_be_rewritten(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    policy_transition(actor=underwriter, policy_id=policy.pk, action_name=PolicyAction.QUOTE)
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("UPDATE policies_policytransition SET reason = 'forged'")


def test_the_transition_record_cannot_be_deleted(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    policy_transition(actor=underwriter, policy_id=policy.pk, action_name=PolicyAction.QUOTE)
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM policies_policytransition")


def test_a_new_policy_records_its_first_status(underwriter, insured_a):
    policy = _new_policy(underwriter, insured_a)
    row = PolicyTransition.objects.get(policy=policy)
    assert (row.action, row.from_status, row.to_status) == ("create", "", PolicyStatus.DRAFT)
