"""The agreement lifecycle, consent, overlap and payment routing (SPEC 8)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from banks import services
from banks.models import AgreementBuyer, BankEvent
from core.scope import visible
from policies.services import policy_transition
from tests.banks.conftest import TODAY, activate, consent, prepare

pytestmark = pytest.mark.django_db


def test_lifecycle_and_consent(personas, policy, bank_org, buyers):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    assert agreement.status == "draft" and agreement.reference.startswith("AA2026")
    with pytest.raises(ValidationError) as refused:
        services.agreement_activate(
            actor=personas["underwriter"], agreement_id=agreement.pk, today=TODAY
        )
    assert "action" in refused.value.message_dict
    activate(personas, agreement)
    agreement.refresh_from_db()
    assert agreement.status == "active"
    assert list(AgreementBuyer.objects.filter(active=True).values_list("buyer", flat=True)) == [
        buyers[0].pk
    ]
    with pytest.raises(ValidationError) as refused:
        services.agreement_terminate(
            actor=personas["underwriter"], agreement_id=agreement.pk, consent={}, today=TODAY
        )
    assert "given_by" in refused.value.message_dict
    services.agreement_terminate(
        actor=personas["underwriter"], agreement_id=agreement.pk, consent=consent(), today=TODAY
    )
    agreement.refresh_from_db()
    assert agreement.status == "terminated"
    assert not AgreementBuyer.objects.filter(active=True).exists()
    assert agreement.changes.get(action="terminate").consent.reference == "XY-2026-018"


def test_overlap_refused(personas, policy, bank_org, bank_y, buyers):
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    second = prepare(personas, policy, bank_y, scope="all")
    with pytest.raises(ValidationError):
        activate(personas, second)
    with pytest.raises(IntegrityError):
        AgreementBuyer.objects.create(
            agreement=second, policy=policy, buyer=buyers[0], bank=bank_y, active=True
        )


def test_cancel_refused_and_bank_sees_only_covered(personas, policy, bank_org, buyers):
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    bank = personas["bank"]
    assert list(visible(bank, "buyers.Buyer")) == [buyers[0]]
    assert list(visible(bank, "policies.Policy")) == [policy]
    assert BankEvent.objects.filter(kind="agreement_active").count() == 1
    with pytest.raises(ValidationError) as refused:
        policy_transition(
            actor=personas["underwriter"], policy_id=policy.pk, action_name="cancel", reason="asked"
        )
    assert "action" in refused.value.message_dict
    policy.refresh_from_db()
    assert policy.status == "in_force"
