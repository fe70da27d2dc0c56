import pytest

from accounts.models import User
from tests.conftest import make_personas

# The authorization matrix's objects (a draft and a live policy per insured, limits,
# applications in each open status, a reduction, a review) serve the API tests here too.
from tests.test_authorization import documents_renderer, shared_world, world  # noqa: F401


@pytest.fixture
def personas(request, db):
    """The matrix world's personas once a test of this module has built the world (its
    users then exist for the rest of the module), otherwise a fresh set."""
    if "world" in request.fixturenames:
        request.module._shared_world_built = True
    if getattr(request.module, "_shared_world_built", False):
        ids = request.getfixturevalue("shared_world")["personas"]
        users = User.objects.in_bulk(ids.values())
        return {name: users[pk] for name, pk in ids.items()}
    return make_personas(
        insurer=request.getfixturevalue("insurer"),
        insured_a=request.getfixturevalue("insured_a"),
        insured_b=request.getfixturevalue("insured_b"),
        bank_org=request.getfixturevalue("bank_org"),
    )
