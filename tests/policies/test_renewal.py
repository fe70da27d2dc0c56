"""Yearly renewal and expiry jobs (SPEC 3.3, 10): idempotent, run twice = run once."""

from datetime import date

import pytest
import time_machine

from policies.choices import PolicyStatus
from policies.models import Policy
from policies.tasks import expire_policies, renew_policies
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_force(insured_a):
    return PolicyFactory(
        insured=insured_a,
        status=PolicyStatus.IN_FORCE,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )


def test_renewal_job_run_twice_creates_one_renewal(in_force):
    with time_machine.travel(date(2026, 12, 10)):
        assert renew_policies() == 1
        renew_policies()
    renewals = Policy.objects.filter(renewed_from=in_force)
    assert renewals.count() == 1
    renewal = renewals.get()
    assert (renewal.policy_number, renewal.year_index) == (in_force.policy_number, 2)
    assert (renewal.period_start, renewal.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal.status == PolicyStatus.QUOTED
    assert renewal.minimum_premium == in_force.minimum_premium


def test_renewal_waits_for_the_window(in_force):
    with time_machine.travel(date(2026, 11, 1)):
        assert renew_policies() == 0
    assert not Policy.objects.filter(renewed_from=in_force).exists()


def test_a_policy_with_notice_of_non_renewal_is_not_renewed(in_force):
    Policy.objects.filter(pk=in_force.pk).update(auto_renew=False)
    with time_machine.travel(date(2026, 12, 10)):
        assert renew_policies() == 0


def test_expiry_brings_the_renewal_into_force_once(in_force):
    with time_machine.travel(date(2026, 12, 10)):
        renew_policies()
    with time_machine.travel(date(2027, 1, 1)):
        expire_policies()
        expire_policies()
    in_force.refresh_from_db()
    renewal = Policy.objects.get(renewed_from=in_force)
    assert in_force.status == PolicyStatus.EXPIRED
    assert renewal.status == PolicyStatus.IN_FORCE
    assert in_force.transitions.count() == 1
    assert renewal.transitions.count() == 2  # quoted by renewal, issued at expiry


def test_a_renewal_cannot_be_put_in_force_while_the_old_year_runs(in_force, underwriter):
    from django.core.exceptions import ValidationError

    from policies.services import ERROR_PREVIOUS_YEAR_LIVE, policy_transition

    with time_machine.travel(date(2026, 12, 10)):
        renew_policies()
    renewal = Policy.objects.get(renewed_from=in_force)
    with pytest.raises(ValidationError) as info:
        policy_transition(actor=underwriter, policy_id=renewal.pk, action_name="issue")
    assert info.value.message_dict["action"] == [str(ERROR_PREVIOUS_YEAR_LIVE)]


def test_notice_of_non_renewal_stops_renewal_and_withdraws_the_quote(in_force, underwriter):
    from policies.services import policy_give_non_renewal_notice

    with time_machine.travel(date(2026, 12, 10)):
        renew_policies()
        policy_give_non_renewal_notice(
            actor=underwriter, policy_id=in_force.pk, notice_on=date(2026, 12, 10)
        )
    in_force.refresh_from_db()
    assert (in_force.auto_renew, in_force.non_renewal_notice_on) == (False, date(2026, 12, 10))
    assert Policy.objects.get(renewed_from=in_force).status == PolicyStatus.CANCELLED
    with time_machine.travel(date(2027, 1, 1)):
        expire_policies()
    in_force.refresh_from_db()
    assert in_force.status == PolicyStatus.EXPIRED
    assert not Policy.objects.filter(
        policy_number=in_force.policy_number, status=PolicyStatus.IN_FORCE
    ).exists()


def test_notice_after_expiry_or_on_a_draft_is_refused(in_force, insured_a, underwriter):
    from django.core.exceptions import ValidationError

    from policies.services import policy_give_non_renewal_notice

    with pytest.raises(ValidationError) as info:
        policy_give_non_renewal_notice(
            actor=underwriter, policy_id=in_force.pk, notice_on=date(2027, 1, 1)
        )
    assert "notice_on" in info.value.message_dict
    draft = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    with pytest.raises(ValidationError):
        policy_give_non_renewal_notice(
            actor=underwriter, policy_id=draft.pk, notice_on=date(2026, 6, 1)
        )
