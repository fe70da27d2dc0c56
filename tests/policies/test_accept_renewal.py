"""The insured accepts next year's renewal quote (SPEC 3.3): only its approver or
administrator; the acceptance is recorded, the status stays quoted, and the renewal still
comes into force by itself when the old year ends."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from policies.choices import PolicyStatus
from policies.services import policy_accept_renewal, policy_renew
from policies.tasks import expire_policies
from tests.factories import PolicyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def renewal(insured_a, underwriter):
    current = PolicyFactory(
        insured=insured_a,
        status=PolicyStatus.IN_FORCE,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    return policy_renew(actor=underwriter, policy_id=current.pk)


def test_the_approver_accepts_and_nothing_else_changes(personas, renewal):
    with time_machine.travel(date(2026, 12, 12)):
        accepted = policy_accept_renewal(actor=personas["insured_a"], policy_id=renewal.pk)
    renewal.refresh_from_db()
    assert renewal.status == PolicyStatus.QUOTED
    assert renewal.renewal_accepted_by == personas["insured_a"]
    assert renewal.renewal_accepted_at.date() == date(2026, 12, 12)
    assert accepted.renewal_accepted_at == renewal.renewal_accepted_at


def test_accepting_twice_keeps_the_first_acceptance(personas, insured_a, renewal):
    admin = UserFactory(organisation=insured_a, role=Role.INSURED_ADMIN, authority_amount=0)
    policy_accept_renewal(actor=personas["insured_a"], policy_id=renewal.pk)
    policy_accept_renewal(actor=admin, policy_id=renewal.pk)
    renewal.refresh_from_db()
    assert renewal.renewal_accepted_by == personas["insured_a"]


@pytest.mark.parametrize("role", ["insured_a_clerk", "insured_b", "underwriter", "bank"])
def test_only_the_insureds_approver_or_administrator_accepts(personas, renewal, role):
    with pytest.raises(PermissionError):
        policy_accept_renewal(actor=personas[role], policy_id=renewal.pk)
    renewal.refresh_from_db()
    assert renewal.renewal_accepted_at is None


def test_a_viewer_cannot_accept(insured_a, renewal):
    viewer = UserFactory(organisation=insured_a, role=Role.VIEWER, authority_amount=0)
    with pytest.raises(PermissionError):
        policy_accept_renewal(actor=viewer, policy_id=renewal.pk)


def test_only_a_renewal_quote_can_be_accepted(personas, insured_a):
    first_year_quote = PolicyFactory(insured=insured_a, status=PolicyStatus.QUOTED)
    with pytest.raises(ValidationError) as info:
        policy_accept_renewal(actor=personas["insured_a"], policy_id=first_year_quote.pk)
    assert "policy" in info.value.message_dict


def test_the_accepted_renewal_comes_into_force_when_the_old_year_ends(personas, renewal):
    policy_accept_renewal(actor=personas["insured_a"], policy_id=renewal.pk)
    with time_machine.travel(date(2027, 1, 1)):
        expire_policies()
    renewal.refresh_from_db()
    assert renewal.status == PolicyStatus.IN_FORCE
    assert renewal.renewal_accepted_at is not None


def test_the_insured_accepts_from_its_home_page_after_confirming(personas, renewal):
    client = Client()
    client.force_login(personas["insured_a"])
    home = client.get("/").content.decode()
    assert f'href="?accept_renewal={renewal.pk}"' in home
    dialog = client.get(f"/?accept_renewal={renewal.pk}").content.decode()
    assert 'data-testid="confirm-dialog"' in dialog and "2027-01-01" in dialog
    url = f"/policies/{renewal.pk}/accept-renewal/"
    unconfirmed = client.post(url, {"next": "/"})
    assert unconfirmed.url == f"/?accept_renewal={renewal.pk}"
    renewal.refresh_from_db()
    assert renewal.renewal_accepted_at is None
    client.post(url, {"next": "/", "confirmed": "1"})
    renewal.refresh_from_db()
    assert renewal.renewal_accepted_at is not None
    home = client.get("/").content.decode()
    assert 'data-testid="renewal-accepted"' in home
    assert f"已于 {timezone.localdate(renewal.renewal_accepted_at)} 由" in home


def test_a_clerk_sees_the_quote_but_no_accept_button(personas, renewal):
    client = Client()
    client.force_login(personas["insured_a_clerk"])
    home = client.get("/").content.decode()
    assert 'data-testid="policy-renewal"' in home
    assert 'data-testid="accept-renewal"' not in home
    assert (
        client.post(f"/policies/{renewal.pk}/accept-renewal/", {"confirmed": "1"}).status_code
        == 404
    )
