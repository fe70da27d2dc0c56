"""One table over every URL (UI and API) × every role: who gets what (SPEC 2).

Objects outside a user's scope answer 404, never 403. Later features add rows here.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from limits.models import CreditLimit
from policies.choices import PolicyStatus
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "underwriter", "senior_underwriter", "claims_handler", "claims_manager",
    "admin", "insured_a", "insured_b", "bank",
]  # fmt: skip
STAFF = ["underwriter", "senior_underwriter", "claims_handler", "claims_manager", "admin"]
UNDERWRITERS = ["underwriter", "senior_underwriter", "admin"]


def expect(default, **per_role):
    """Expected status per role: `default` for every role not named."""
    table = dict.fromkeys(ROLES, default)
    for role, status in per_role.items():
        table[role] = status
    return table


def only(roles, yes, no, anonymous):
    table = {role: (yes if role in roles else no) for role in ROLES}
    table["anonymous"] = anonymous
    return table


@pytest.fixture
def world(personas, insured_a, insured_b):
    """Objects the matrix points at: one policy and one limited buyer per insured."""
    policy_a = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    policy_b = PolicyFactory(insured=insured_b, status=PolicyStatus.DRAFT)
    buyer_a = BuyerFactory()
    buyer_free = BuyerFactory()
    CreditLimit.objects.create(
        policy=policy_a,
        buyer=buyer_a,
        amount="1000000",
        payment_terms_days=90,
        source="insurer",
        effective_from="2026-01-01",
    )
    return {
        "policy_a": policy_a.pk,
        "policy_b": policy_b.pk,
        "buyer_a": buyer_a.pk,
        "buyer_free": buyer_free.pk,
    }


UI_GET = [
    ("/", expect(200, anonymous=302)),
    ("/policies/", expect(200, anonymous=302)),
    ("/policies/?export=csv", expect(200, anonymous=302)),
    ("/policies/?export=xlsx", expect(200, anonymous=302)),
    ("/policies/{policy_a}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/policies/{policy_b}/", only(STAFF + ["insured_b"], 200, 404, 302)),
    ("/policies/new/", only(UNDERWRITERS, 200, 404, 302)),
    ("/policies/{policy_a}/edit/", only(UNDERWRITERS, 200, 404, 302)),
    ("/buyers/", expect(200, anonymous=302)),
    ("/buyers/?export=csv", expect(200, anonymous=302)),
    ("/buyers/{buyer_a}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/buyers/{buyer_free}/", only(STAFF, 200, 404, 302)),
    ("/buyers/new/", only(UNDERWRITERS, 200, 404, 302)),
    ("/buyers/{buyer_a}/edit/", only(UNDERWRITERS, 200, 404, 302)),
    ("/limits/", expect(200, anonymous=302)),
    ("/notifications/", expect(200, anonymous=302)),
    ("/password/", expect(200, anonymous=302)),
    ("/admin/", expect(302, admin=200)),
    ("/api/schema/", expect(200)),
    ("/api/docs/", expect(200)),
]

UI_POST = [
    ("/policies/{policy_a}/transition/", {"action": "quote"}, only(UNDERWRITERS, 302, 404, 302)),
    ("/policies/{policy_b}/transition/", {"action": "quote"}, only(UNDERWRITERS, 302, 404, 302)),
    (
        "/policies/{policy_a}/override/",
        {"code": "few_buyers", "reason": "x"},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    (
        "/buyers/{buyer_a}/events/new/",
        {"kind": "court_judgment", "occurred_on": "2026-11-01"},
        only(STAFF, 302, 404, 302),
    ),
]

API = [
    ("get", "/api/v1/policies/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/policies/{policy_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    ("get", "/api/v1/policies/{policy_b}/", None, only(STAFF + ["insured_b"], 200, 404, 401)),
    (
        "get",
        "/api/v1/policies/{policy_a}/transitions/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/policies/{policy_a}/transition/",
        {"action": "quote"},
        expect(403, anonymous=401, underwriter=200, senior_underwriter=200, admin=200),
    ),
    (
        "patch",
        "/api/v1/policies/{policy_a}/",
        {"buyer_count": 12},
        expect(403, anonymous=401, underwriter=200, senior_underwriter=200, admin=200),
    ),
    ("get", "/api/v1/buyers/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/buyers/{buyer_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    ("get", "/api/v1/buyers/{buyer_free}/", None, only(STAFF, 200, 404, 401)),
    (
        "patch",
        "/api/v1/buyers/{buyer_a}/",
        {"risk_grade": 5},
        expect(403, anonymous=401, underwriter=200, senior_underwriter=200, admin=200),
    ),
]


def _ui_client(personas, role):
    client = Client()
    if role != "anonymous":
        client.force_login(personas[role])
    return client


def _api_client(personas, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(personas[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_ui_pages(personas, world, role):
    client = _ui_client(personas, role)
    failures = []
    for path, expected in UI_GET:
        url = path.format(**world)
        status = client.get(url).status_code
        if status != expected[role]:
            failures.append(f"GET {url}: {status}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,data,expected", UI_POST)
def test_ui_actions(personas, world, role, path, data, expected):
    url = path.format(**world)
    status = _ui_client(personas, role).post(url, data).status_code
    assert status == expected[role], f"POST {url} as {role}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,data,expected", API)
def test_api(personas, world, role, method, path, data, expected):
    url = path.format(**world)
    response = getattr(_api_client(personas, role), method)(url, data, format="json")
    assert response.status_code == expected[role], f"{method.upper()} {url} as {role}"


def test_every_api_route_is_in_the_matrix():
    """A new endpoint must come with its rows: list the router's URL patterns."""
    from config.api_urls import router

    covered = {path.split("/")[3] for _m, path, _d, _e in API}
    assert {prefix for prefix, _viewset, _basename in router.registry} <= covered
