"""SPEC 8: two agreements in force never cover the same buyer of the same policy, by
scope (all, region, listed), in the service and in the database's unique index."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from banks.models import AgreementBuyer, AssignmentAgreement
from policies.choices import PolicyStatus
from tests.banks.conftest import activate, prepare
from tests.claims.conftest import grant_limit
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional(personas, policy, capacities):
    """Two buyers in Zhejiang (33), one in Guangdong (44), each with a limit."""
    zhejiang = [BuyerFactory(risk_grade=4, region="33") for _ in range(2)]
    guangdong = BuyerFactory(risk_grade=4, region="44")
    for buyer in (*zhejiang, guangdong):
        grant_limit(personas, policy, buyer, "300000")
    return {"33": zhejiang, "44": guangdong}


def _refused(personas, agreement, *, other) -> None:
    with pytest.raises(ValidationError) as refused:
        activate(personas, agreement)
    assert other.reference in refused.value.message_dict["action"][0]
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    assert not agreement.covered_buyers.filter(active=True).exists()


def test_listed_against_listed(personas, policy, bank_org, bank_y, buyers):
    first = activate(personas, prepare(personas, policy, bank_org, buyers=buyers))
    second = prepare(personas, policy, bank_y, buyers=buyers[1:])
    _refused(personas, second, other=first)
    # The index holds even if the service's check were bypassed.
    with pytest.raises(IntegrityError, match="agreement_buyer_one_active"), transaction.atomic():
        AgreementBuyer.objects.filter(agreement=second).update(active=True)


def test_all_against_listed_either_way(personas, policy, bank_org, bank_y, buyers):
    listed = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    _refused(personas, prepare(personas, policy, bank_y, scope="all"), other=listed)


def test_listed_against_all(personas, policy, bank_org, bank_y, buyers):
    everything = activate(personas, prepare(personas, policy, bank_org, scope="all"))
    assert set(everything.covered_buyers.filter(active=True).values_list("buyer", flat=True)) == {
        b.pk for b in buyers
    }
    _refused(personas, prepare(personas, policy, bank_y, buyers=buyers[1:]), other=everything)
    _refused(personas, prepare(personas, policy, bank_y, scope="all"), other=everything)


def test_region_against_listed_in_that_region(personas, policy, bank_org, bank_y, regional):
    listed = activate(personas, prepare(personas, policy, bank_org, buyers=regional["33"][:1]))
    _refused(personas, prepare(personas, policy, bank_y, scope="region", region="33"), other=listed)
    # Outside the region, no overlap: the region's other buyers are the regional bank's.
    south = activate(personas, prepare(personas, policy, bank_y, scope="region", region="44"))
    assert list(south.covered_buyers.values_list("buyer", flat=True)) == [regional["44"].pk]


def test_listed_against_region(personas, policy, bank_org, bank_y, regional):
    region = activate(personas, prepare(personas, policy, bank_org, scope="region", region="33"))
    assert set(region.covered_buyers.values_list("buyer", flat=True)) == {
        b.pk for b in regional["33"]
    }
    _refused(personas, prepare(personas, policy, bank_y, buyers=regional["33"][1:]), other=region)
    activate(personas, prepare(personas, policy, bank_y, buyers=[regional["44"]]))


def test_region_against_the_same_region(personas, policy, bank_org, bank_y, regional):
    first = activate(personas, prepare(personas, policy, bank_org, scope="region", region="33"))
    _refused(personas, prepare(personas, policy, bank_y, scope="region", region="33"), other=first)


def test_different_buyers_of_one_policy_may_go_to_two_banks(
    personas, policy, bank_org, bank_y, buyers
):
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    activate(personas, prepare(personas, policy, bank_y, buyers=buyers[1:]))
    assert AssignmentAgreement.objects.filter(status="active").count() == 2
    assert AgreementBuyer.objects.filter(active=True).count() == 2


def test_the_same_buyer_under_two_policies_may_go_to_two_banks(
    personas, policy, insured_a, bank_org, bank_y, buyers
):
    other_policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    grant_limit(personas, other_policy, buyers[0], "300000")
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    activate(personas, prepare(personas, other_policy, bank_y, buyers=buyers[:1]))
    assert AgreementBuyer.objects.filter(active=True, buyer=buyers[0]).count() == 2


def test_an_ended_agreement_frees_its_buyers(personas, policy, bank_org, bank_y, buyers):
    from tests.banks.conftest import terminate

    first = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    terminate(personas, first)
    activate(personas, prepare(personas, policy, bank_y, scope="all"))


def test_a_listed_buyer_must_have_a_limit_under_the_policy(personas, policy, bank_org, buyers):
    stranger = BuyerFactory()
    with pytest.raises(ValidationError) as refused:
        prepare(personas, policy, bank_org, buyers=[buyers[0], stranger])
    assert stranger.name in refused.value.message_dict["buyers"][0]
    with pytest.raises(ValidationError) as refused:
        prepare(personas, policy, bank_org, buyers=[])
    assert "buyers" in refused.value.message_dict
