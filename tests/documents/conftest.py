import pytest

from tests.documents.samples import sample_renderer
from tests.factories import PolicyFactory


@pytest.fixture
def sample_kind():
    with sample_renderer() as kind:
        yield kind


@pytest.fixture
def live_policy(insured_a):
    return PolicyFactory(insured=insured_a, status="in_force")
