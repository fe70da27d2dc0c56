"""Bad input answers 400 naming the field, never 5xx (SPEC 11): a PUT of the schema's or
its own GET's body, JSON nested too deep, and a fuzz of odd bodies at every write endpoint
of the API router, as an insured user, an underwriter and a claims handler."""

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from core.parsers import MAX_JSON_DEPTH
from policies.choices import PolicyStatus
from policies.models import Policy
from tests.conftest import api_as
from tests.factories import OrganisationFactory, PolicyFactory
from tests.test_authorization import router_prefix

pytestmark = pytest.mark.django_db

DEEP = "[" * 20_000 + "]" * 20_000  # 40 KB


def _client(user) -> APIClient:
    client = api_as(user)
    client.raise_request_exception = False  # a 500 is an answer to look at, not a crash
    return client


# --- PUT ------------------------------------------------------------------------------------


def test_a_put_of_a_policys_own_get_body_is_taken(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    client = _client(underwriter)
    body = client.get(f"/api/v1/policies/{policy.pk}/").json()
    body["buyer_count"] = 12
    response = client.put(f"/api/v1/policies/{policy.pk}/", body, format="json")
    assert response.status_code == 200, response.content[:500]
    policy.refresh_from_db()
    assert policy.buyer_count == 12


def test_a_put_naming_another_insured_does_not_move_the_policy(underwriter, insured_a):
    """`insured` is fixed once the policy exists: read-only on update, so ignored."""
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    client = _client(underwriter)
    body = client.get(f"/api/v1/policies/{policy.pk}/").json()
    body["insured"] = OrganisationFactory().pk
    response = client.put(f"/api/v1/policies/{policy.pk}/", body, format="json")
    assert response.status_code == 200, response.content[:500]
    policy.refresh_from_db()
    assert policy.insured_id == insured_a.pk


def test_the_schema_does_not_ask_for_insured_on_update(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    put = schema["paths"]["/api/v1/policies/{id}/"]["put"]
    ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "insured" not in component["properties"]
    assert "insured" in _request_component(schema, "/api/v1/policies/", "post")["properties"]


# --- JSON nested too deep --------------------------------------------------------------------


@override_settings(DEBUG=False)
@pytest.mark.parametrize("role", ["insured_a", "underwriter"])
def test_json_nested_40_kb_deep_is_a_400(personas, role):
    response = _client(personas[role]).post(
        "/api/v1/calculators/turnover/", DEEP, content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_json_just_deeper_than_allowed_is_a_400_and_just_within_is_read(personas):
    client = _client(personas["insured_a"])
    too_deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    response = client.post(
        "/api/v1/calculators/turnover/", too_deep, content_type="application/json"
    )
    assert response.status_code == 400
    within = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = client.post("/api/v1/calculators/turnover/", within, content_type="application/json")
    assert response.status_code == 400  # a list is not the object the calculator takes
    assert "non_field_errors" in response.json()


# --- fuzz every write endpoint ------------------------------------------------------------------

# Each odd value is sent in every field an endpoint's request schema names.
ODD_VALUES = [
    None, True, 0, -1, 10**40, 1e308, "", " ", "x" * 5000, "\x00", "１２３", "NaN", "1e400",
    "-0", "2026-02-30", "99999999999999999999", [], {}, [[["x"]]], {"a": {"b": {"c": 1}}},
]  # fmt: skip
RAW_BODIES = [
    DEEP, "[" * 200 + "]" * 200, '{"a": ', "nul", "[]", '"text"', "1", "null", "NaN",
    '{"amount": Infinity}', "\ud800", '{"a": 1e999999}',
]  # fmt: skip
OBJECT_FOR_PREFIX = {
    "policies": "policy_a",
    "buyers": "buyer_a",
    "credit-limits": "limit_a",
    "limit-applications": "app_submitted",
    "limit-decisions": "decision_cut",
    "limit-reviews": "review",
    "declarations": "decl_draft",
    "debit-notes": "note_open",
    "overdue-notices": "notice_draft",
    "claims": "claim_assessment",
    "documents": "pdf_a",
}
# Lists and answers only: nothing to write to.
READ_ONLY_PREFIXES = {
    "limit-queue", "deadlines", "premium-accounts", "claim-documents", "worksheets",
    "agreements", "bank/positions", "bank/feed",
}  # fmt: skip


def _schema(api) -> dict:
    return api.get("/api/schema/", {"format": "json"}).json()


def _request_component(schema, path, method) -> dict:
    body = schema["paths"][path][method].get("requestBody")
    if not body:
        return {"properties": {}}
    # JSON bodies, or the one other kind an endpoint takes (a file upload is multipart).
    content = body["content"].get("application/json") or next(iter(body["content"].values()))
    ref = content["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _write_endpoints(schema):
    from config.api_urls import router

    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    endpoints = []
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        prefix = router_prefix(path, prefixes)
        assert prefix in prefixes, path
        for method in ("post", "put", "patch"):
            if method in operations:
                fields = list(_request_component(schema, path, method)["properties"])
                endpoints.append((method, path, prefix, fields))
    # Every router prefix with a write is reached (a new one is fuzzed without a new line).
    assert {prefix for _m, _p, prefix, _f in endpoints} >= prefixes - READ_ONLY_PREFIXES
    return endpoints


# Claims handlers reach the claims actions that the other two are refused at once.
@pytest.mark.parametrize("role", ["insured_a", "underwriter", "claims_handler"])
def test_no_odd_body_at_any_write_endpoint_answers_5xx(personas, world, api, role):
    client = _client(personas[role])
    failures = []
    for method, path, prefix, fields in _write_endpoints(_schema(api)):
        url = path.replace("{id}", str(world.get(OBJECT_FOR_PREFIX.get(prefix), 0)))
        send = getattr(client, method)
        for raw in RAW_BODIES:
            response = send(
                url, raw.encode("utf-8", "surrogatepass"), content_type="application/json"
            )
            if response.status_code >= 500:
                failures.append(f"{method} {url} {raw[:30]!r}: {response.status_code}")
        for value in ODD_VALUES:
            body = json.dumps(dict.fromkeys(fields or ["x"], value))
            response = send(url, body, content_type="application/json")
            if response.status_code >= 500:
                failures.append(f"{method} {url} {body[:60]}: {response.status_code}")
        form_body = {name: "\x00１２３" for name in fields}
        response = send(url, form_body)  # multipart, as a browser would send a form
        if response.status_code >= 500:
            failures.append(f"{method} {url} multipart: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert Policy.objects.filter(policy_number="").count() == 0
