"""Issue 11 item 4 through HTTP on PostgreSQL: `Idempotency-Key` on every API POST (a replay
answers the first answer and writes nothing; another body 422; another client independent;
16 concurrent duplicates one row) and `If-Match` on updates (stale 412, fresh 200)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import get_resolver
from django.utils import timezone

from config.api_urls import router
from core import idempotency
from core.api import RequestGuards
from core.models import IdempotencyKey
from limits.choices import LimitSource
from limits.models import CreditLimit, PendingOrdersCover
from policies.choices import PolicyStatus
from policies.models import Policy
from tests.conftest import api_as
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory

THREADS = 16
NEW_POLICY = {
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "estimated_annual_turnover": "50000000.00",
    "premium_rate_percent": "0.5",
    "annual_credit_turnover": "60000000.00",
    "buyer_count": 10,
}


def _create_policy(user, insured, key, **changes):
    return api_as(user).post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured.pk, **changes},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_every_api_viewset_applies_the_guards():
    """By construction: a viewset registered without core.api's bases fails here."""
    assert get_resolver()  # the URLconf, and so the router, is loaded
    missing = [v.__name__ for _, v, _ in router.registry if not issubclass(v, RequestGuards)]
    assert missing == []


@pytest.mark.django_db
def test_a_replay_answers_the_first_answer_and_writes_nothing(underwriter, insured_a):
    first = _create_policy(underwriter, insured_a, "create-policy-1")
    assert first.status_code == 201, first.json()
    again = _create_policy(underwriter, insured_a, "create-policy-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Policy.objects.count() == 1
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.DONE


@pytest.mark.django_db
def test_the_same_key_with_another_body_answers_422(underwriter, insured_a):
    assert _create_policy(underwriter, insured_a, "k").status_code == 201
    other = _create_policy(underwriter, insured_a, "k", buyer_count=11)
    assert other.status_code == 422
    assert other.json()["detail"] == idempotency.ERROR_KEY_REUSED
    assert Policy.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_client(personas, insured_a):
    first = _create_policy(personas["underwriter"], insured_a, "shared")
    second = _create_policy(personas["senior_underwriter"], insured_a, "shared")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert Policy.objects.count() == 2


@pytest.mark.django_db
def test_a_replay_while_the_first_runs_answers_409(underwriter, insured_a):
    """The first request's key row, as it stands while its view runs (same fingerprint:
    the same request was sent under another key first)."""
    assert _create_policy(underwriter, insured_a, "probe").status_code == 201
    row = IdempotencyKey.objects.get(key="probe")
    IdempotencyKey.objects.create(
        user=underwriter, key="busy", method="POST", path=row.path, fingerprint=row.fingerprint
    )
    response = _create_policy(underwriter, insured_a, "busy")
    assert response.status_code == 409
    assert response.json()["detail"] == idempotency.ERROR_KEY_RUNNING
    assert Policy.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_request_is_kept_and_a_server_error_releases_the_key(
    underwriter, insured_a, monkeypatch
):
    refused = _create_policy(underwriter, insured_a, "bad", period_end="2025-01-01")
    assert refused.status_code == 400
    assert _create_policy(underwriter, insured_a, "bad", period_end="2025-01-01").content == (
        refused.content
    )

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("policies.services.policy_create", broken)
    client = api_as(underwriter)
    client.raise_request_exception = False
    answer = client.post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured_a.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="retry-me",
    )
    assert answer.status_code == 500
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()


@pytest.mark.django_db
def test_a_key_longer_than_255_characters_is_refused_naming_the_header(underwriter, insured_a):
    response = _create_policy(underwriter, insured_a, "x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Policy.objects.exists()


@pytest.mark.django_db
def test_keys_are_kept_a_day_then_purged(underwriter, insured_a):
    _create_policy(underwriter, insured_a, "old")
    now = timezone.now()
    assert idempotency.purge(now + timedelta(hours=23)) == 0
    assert idempotency.purge(now + timedelta(hours=25)) == 1


@pytest.mark.django_db
def test_the_hourly_beat_task_purges_keys_older_than_a_day(settings, underwriter, insured_a):
    from core.tasks import purge_idempotency_keys

    assert settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]["task"] == (
        purge_idempotency_keys.name
    )
    _create_policy(underwriter, insured_a, "yesterday")
    _create_policy(underwriter, insured_a, "today", buyer_count=11)
    IdempotencyKey.objects.filter(key="yesterday").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert purge_idempotency_keys.delay().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["today"]


# --- ETag and If-Match ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_if_match_answers_412_and_a_fresh_one_updates(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    client = api_as(underwriter)
    url = f"/api/v1/policies/{policy.pk}/"
    read = client.get(url)
    etag = read["ETag"]
    assert etag.startswith('"')
    # A colleague saves the policy after our read.
    first = client.patch(url, {"buyer_count": 12}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.json()
    assert first["ETag"] != etag
    stale = client.patch(url, {"buyer_count": 13}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    policy.refresh_from_db()
    assert policy.buyer_count == 12
    fresh = client.patch(url, {"buyer_count": 13}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert fresh["ETag"] == client.get(url)["ETag"]


@pytest.mark.django_db
def test_buyer_updates_check_if_match_too(underwriter):
    buyer = BuyerFactory()
    client = api_as(underwriter)
    url = f"/api/v1/buyers/{buyer.pk}/"
    stale = client.patch(url, {"name": "Renamed Ltd"}, format="json", HTTP_IF_MATCH='"old"')
    assert stale.status_code == 412
    fresh = client.patch(
        url, {"name": "Renamed Ltd"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert fresh.status_code == 200, fresh.json()


# --- 16 concurrent duplicates ----------------------------------------------------------------


def _race(send) -> list:
    """`send()` from THREADS threads at once; each thread closes its own connection."""
    barrier = threading.Barrier(THREADS)
    answers, errors = [], []

    def run():
        try:
            barrier.wait()
            answers.append(send())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return answers


def _one_answer_many_replays(answers):
    codes = sorted(answer.status_code for answer in answers)
    created = [answer for answer in answers if answer.status_code == 201]
    assert set(codes) <= {201, 409}, codes
    assert created
    assert len({answer.content for answer in created}) == 1
    assert sum(1 for answer in created if not answer.has_header("Idempotent-Replayed")) == 1


@pytest.mark.django_db(transaction=True)
def test_16_concurrent_policy_posts_with_one_key_make_one_policy(underwriter, insured_a):
    answers = _race(lambda: _create_policy(underwriter, insured_a, "burst"))
    _one_answer_many_replays(answers)
    assert Policy.objects.count() == 1
    # Once the first is done, a late duplicate gets its answer.
    late = _create_policy(underwriter, insured_a, "burst")
    first = next(answer for answer in answers if answer.status_code == 201)
    assert (late.status_code, late.content) == (201, first.content)
    assert Policy.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_16_concurrent_pending_orders_requests_with_one_key_make_one_cover(personas, insured_a):
    today = timezone.localdate()
    BuyerCapacityFactory(risk_grade=4, max_exposure=Decimal("10000000"))
    policy = PolicyFactory(
        insured=insured_a, status=PolicyStatus.IN_FORCE, max_discretionary_limit=Decimal("500000")
    )
    limit = CreditLimit.objects.create(
        policy=policy,
        buyer=BuyerFactory(risk_grade=4),
        amount=Decimal("1000000"),
        payment_terms_days=90,
        source=LimitSource.INSURER,
        effective_from=policy.period_start,
    )
    reduced = api_as(personas["underwriter"]).post(
        f"/api/v1/credit-limits/{limit.pk}/reduce/",
        {"amount": "400000", "notice_on": today.isoformat(), "reason_code": "12"},
        format="json",
    )
    assert reduced.status_code == 200, reduced.json()
    url = f"/api/v1/limit-decisions/{reduced.json()['id']}/pending-orders/"
    body = {
        "requested_on": today.isoformat(),
        "contract_reference": "HT-2026-118",
        "contract_signed_on": (today - timedelta(days=60)).isoformat(),
        "contract_amount": "1200000.00",
    }
    insured = personas["insured_a"]
    answers = _race(
        lambda: api_as(insured).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="cover-1")
    )
    _one_answer_many_replays(answers)
    assert PendingOrdersCover.objects.count() == 1


def test_the_schema_documents_the_headers_and_their_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if method == "post":
                assert "Idempotency-Key" in headers, path
                assert {"409", "422"} <= set(operation["responses"]), path
            if method in ("put", "patch"):
                assert "If-Match" in headers, path
                assert "412" in operation["responses"], path
