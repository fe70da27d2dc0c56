"""Every API answer matches the OpenAPI schema the API publishes (SPEC 11).

The list and detail GETs of every router endpoint, and every call of the authorization
matrix's API table, are made as an underwriter and as an insured user; each answer is
validated against the generated schema with openapi-schema-validator (OpenAPI 3.0:
`nullable`, `readOnly`, formats). Objects are validated strictly: a property the schema
does not list fails too (the schema's own components allow extra properties).
"""

import copy

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

from tests.conftest import api_as
from tests.test_authorization import API, fill

pytestmark = pytest.mark.django_db

ROLES = ["underwriter", "insured_a"]


def _strict(node):
    """The schema with every object closed to properties it does not list.

    A nullable nested object is `allOf: [$ref], nullable: true` in OpenAPI 3.0 (what
    drf-spectacular writes); the validator checks null against the referenced object and
    fails, so that is spelled here as "null, or the object"."""
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        if node.get("nullable") and "allOf" in node:
            node["anyOf"] = [{"allOf": node.pop("allOf")}, {"enum": [None], "nullable": True}]
        return node
    if isinstance(node, list):
        return [_strict(value) for value in node]
    return node


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    return {"paths": schema["paths"], "components": _strict(schema["components"])}


def _template(spec, url: str) -> str:
    """The schema path of a concrete URL (`/api/v1/policies/12/` -> `…/{id}/`)."""
    parts = url.split("?")[0].strip("/").split("/")
    # Literal segments first: `/credit-limits/discretionary/` is not `/credit-limits/{id}/`.
    for path in sorted(spec["paths"], key=lambda p: p.count("{")):
        template = path.strip("/").split("/")
        if len(template) == len(parts) and all(
            t == p or (t.startswith("{") and t.endswith("}"))
            for t, p in zip(template, parts, strict=True)
        ):
            return path
    raise AssertionError(f"{url} is not in the schema")


def check(spec, method: str, url: str, response) -> str | None:
    """None if the answer matches the schema, else what is wrong."""
    operation = spec["paths"][_template(spec, url)].get(method)
    if operation is None:
        return f"{method.upper()} {url}: no such operation in the schema"
    documented = operation["responses"].get(str(response.status_code))
    if documented is None:
        if response.status_code < 300:
            return f"{method.upper()} {url}: {response.status_code} is not documented"
        return None  # an undocumented refusal: its body has no schema to meet
    content = documented.get("content")
    if content is None:
        if response.status_code >= 400:
            return None  # a refusal documented by its description only
        return None if not response.content else f"{method.upper()} {url}: a body not documented"
    if "application/json" not in content:
        # A file (a claim document's download): its media type must be one documented.
        media_type = response.get("Content-Type", "").split(";")[0].strip()
        if media_type in content:
            return None
        return f"{method.upper()} {url} {response.status_code}: {media_type} is not documented"
    schema = {**content["application/json"]["schema"], "components": spec["components"]}
    try:
        OAS30ReadValidator(schema, format_checker=oas30_format_checker).validate(response.json())
    except ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        return f"{method.upper()} {url} {response.status_code} at {where}: {error.message}"
    return None


def _list_urls():
    from config.api_urls import router

    return [
        f"/api/v1/{prefix}/"
        for prefix, viewset, _basename in router.registry
        if hasattr(viewset, "list")
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_list_and_detail_answer_matches_the_schema(spec, personas, world, role):
    client = api_as(personas[role])
    problems, seen_details = [], 0
    for url in _list_urls():
        response = client.get(url)
        problems.append(check(spec, "get", url, response))
        if response.status_code != 200:
            continue
        for row in response.json()["results"][:3]:
            detail = f"{url}{row['id']}/"
            if "{id}" in "".join(p for p in spec["paths"] if p.startswith(url)):
                problems.append(check(spec, "get", detail, client.get(detail)))
                seen_details += 1
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)
    assert seen_details >= 5


@pytest.mark.parametrize("role", ROLES)
def test_every_call_of_the_authorization_matrix_answers_as_the_schema_says(
    spec, personas, world, role
):
    client = api_as(personas[role])
    problems = []
    for method, path, data, _expected in API:
        url = path.format(**world)
        response = getattr(client, method)(url, fill(data, world), format="json")
        problems.append(check(spec, method, url, response))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_a_policys_transitions_and_a_draft_application_match_the_schema(spec, personas, world):
    """The two answers found untrue: a bare list where the schema said paginated, and a
    null `submitted_by` where it said a string."""
    client = api_as(personas["insured_a"])
    for url in (
        f"/api/v1/policies/{world['policy_a']}/transitions/",
        f"/api/v1/limit-applications/{world['app_draft']}/",
    ):
        assert check(spec, "get", url, client.get(url)) is None


def test_the_check_itself_catches_a_wrong_answer(spec, personas, world):
    """The strict copy of the schema refuses an undocumented property and a wrong null."""

    class Fake:
        status_code = 200
        content = b"{}"

        def __init__(self, body):
            self.body = body

        def json(self):
            return self.body

    url = f"/api/v1/policies/{world['policy_a']}/"
    body = api_as(personas["underwriter"]).get(url).json()
    assert check(spec, "get", url, Fake(body)) is None
    assert check(spec, "get", url, Fake({**body, "secret": 1})) is not None
    assert check(spec, "get", url, Fake({**body, "policy_number": None})) is not None
    assert copy.deepcopy(spec) == spec
