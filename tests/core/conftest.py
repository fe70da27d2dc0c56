# The authorization matrix's objects (a draft and a live policy per insured, limits,
# applications in each open status, a reduction, a review) serve the API tests here too.
from tests.test_authorization import world  # noqa: F401
