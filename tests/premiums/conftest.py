from decimal import Decimal

import pytest

from policies.choices import PolicyStatus
from tests.factories import PolicyFactory


@pytest.fixture
def policy(insured_a):
    """The SPEC 6 example: estimate 50,000,000 at 0.5%, minimum premium 200,000."""
    return PolicyFactory(
        insured=insured_a, status=PolicyStatus.IN_FORCE,
        estimated_annual_turnover=Decimal("50000000"), premium_rate_percent=Decimal("0.5"),
    )  # fmt: skip


@pytest.fixture
def approver(personas):
    return personas["insured_a"]


@pytest.fixture
def clerk(personas):
    return personas["insured_a_clerk"]
