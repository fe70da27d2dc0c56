from decimal import Decimal

import pytest

from limits.models import AutoDecisionGradeRule, AutoDecisionSettings
from policies.choices import PolicyStatus
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory


@pytest.fixture
def capacities(db):
    """Capacity per grade (SPEC 4): 10,000,000 for grade 4, as the examples below assume."""
    for grade in range(1, 11):
        BuyerCapacityFactory(
            risk_grade=grade, max_exposure=Decimal("10000000") if grade <= 7 else Decimal(0)
        )


@pytest.fixture
def live_policy_a(insured_a):
    return PolicyFactory(
        insured=insured_a, status=PolicyStatus.IN_FORCE, max_discretionary_limit=Decimal("500000")
    )


@pytest.fixture
def live_policy_b(insured_b):
    return PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE)


@pytest.fixture
def buyer(capacities):
    return BuyerFactory(risk_grade=4)


@pytest.fixture
def auto_rules(db):
    AutoDecisionSettings.objects.create(enabled=True, capacity_headroom_percent=Decimal("20"))
    AutoDecisionGradeRule.objects.create(risk_grade=3, max_amount=Decimal("300000"))
    AutoDecisionGradeRule.objects.create(risk_grade=4, max_amount=Decimal("200000"))
