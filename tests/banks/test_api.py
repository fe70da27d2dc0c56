"""The bank API (SPEC 2, 8): agreements, positions with the financing capacity, and the
feed with `since` and `new`, each scoped as the portal is."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from banks import services
from banks.models import BankEvent
from tests.banks.conftest import activate, prepare
from tests.banks.test_portal import paid_claim, report
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(personas, policy, bank_org, buyers):
    return activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))


def test_agreements_are_the_staffs_the_insureds_and_the_named_banks(
    personas, agreement, bank_y_user
):
    url = f"/api/v1/agreements/{agreement.pk}/"
    for role in ("underwriter", "claims_handler", "insured_a", "bank"):
        response = api_as(personas[role]).get(url)
        assert response.status_code == 200, role
        assert response.json()["reference"] == agreement.reference
    for user in (personas["insured_b"], bank_y_user):
        assert api_as(user).get(url).status_code == 404
        assert api_as(user).get("/api/v1/agreements/").json()["results"] == []
    body = api_as(personas["bank"]).get(url).json()
    assert body["status"] == "active" and body["account_number"] == "6222 0212 0000 1234"
    assert [row["buyer"] for row in body["covered_buyers"]] == [
        agreement.covered_buyers.get().buyer_id
    ]


def test_a_bank_reads_no_draft_and_an_ended_agreement_covers_nothing(
    personas, policy, bank_org, buyers, agreement
):
    draft = prepare(personas, policy, bank_org, buyers=buyers[1:])
    bank = api_as(personas["bank"])
    assert bank.get(f"/api/v1/agreements/{draft.pk}/").status_code == 404
    assert [a["id"] for a in bank.get("/api/v1/agreements/").json()["results"]] == [agreement.pk]
    listed = api_as(personas["underwriter"]).get("/api/v1/agreements/?status=draft").json()
    assert [a["id"] for a in listed["results"]] == [draft.pk]
    services.agreement_terminate(
        actor=personas["underwriter"], agreement_id=agreement.pk,
        consent={"given_by": "王行长", "given_on": timezone.localdate(), "reference": "C-1"},
    )  # fmt: skip
    body = bank.get(f"/api/v1/agreements/{agreement.pk}/").json()
    assert body["status"] == "terminated" and body["covered_buyers"] == []
    assert bank.get("/api/v1/bank/positions/").json()["results"] == []


def test_positions_give_the_spec_8_capacity(personas, policy, buyers, agreement, bank_y_user):
    """1,000,000 × 90% = 900,000; 1,200,000 × 90% = 1,080,000; remaining 850,000."""
    policy.__class__.objects.filter(pk=policy.pk).update(max_liability=Decimal("940000"))
    paid_claim(personas, policy, buyers[0])
    report(personas, policy, buyers[0], "1000000")
    response = api_as(personas["bank"]).get("/api/v1/bank/positions/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["buyer"] == buyers[0].pk
    assert (row["limit_amount"], row["receivables"], row["remaining_liability"]) == (
        "1200000.00", "1000000.00", "850000.00",
    )  # fmt: skip
    assert (row["capacity"], row["paid"], row["payable"]) == ("850000.00", "90000.00", "0.00")
    assert row["agreement_reference"] == agreement.reference
    # The insured sees the positions on its own policy; another bank and insured none.
    assert len(api_as(personas["insured_a"]).get("/api/v1/bank/positions/").json()["results"])
    for user in (bank_y_user, personas["insured_b"]):
        assert api_as(user).get("/api/v1/bank/positions/").json()["results"] == []
    bank = api_as(personas["bank"])
    assert bank.get(f"/api/v1/bank/positions/?buyer={buyers[1].pk}").json()["results"] == []
    assert bank.get("/api/v1/bank/positions/?capacity=1").status_code == 400


def test_the_feed_with_since_and_new(personas, policy, buyers, agreement, bank_y_user):
    bank_user = personas["bank"]
    first = BankEvent.objects.get(agreement=agreement)
    services.feed_mark_seen(user=bank_user, until=first.occurred_at)
    later = services.bank_event_record(
        agreement, kind="overdue_notice", subject_code="", params={}, buyer_id=buyers[0].pk
    )
    bank = api_as(bank_user)
    rows = bank.get("/api/v1/bank/feed/").json()["results"]
    assert [(r["id"], r["new"]) for r in rows] == [(later.pk, True), (first.pk, False)]
    assert rows[0]["adverse"] is True and rows[1]["text"]
    assert [r["id"] for r in bank.get("/api/v1/bank/feed/?new=true").json()["results"]] == [
        later.pk
    ]
    since = (first.occurred_at + timedelta(microseconds=1)).isoformat()
    response = bank.get("/api/v1/bank/feed/", {"since": since})
    assert [r["id"] for r in response.json()["results"]] == [later.pk]
    assert bank.get("/api/v1/bank/feed/?kind=agreement_active").json()["results"][0]["id"] == (
        first.pk
    )
    assert bank.get("/api/v1/bank/feed/?since=yesterday").status_code == 400
    assert api_as(bank_y_user).get("/api/v1/bank/feed/").json()["results"] == []
    assert api_as(personas["insured_a"]).get("/api/v1/bank/feed/").json()["results"] == []


def test_the_bank_api_is_read_only(personas, agreement):
    bank = api_as(personas["bank"])
    for url in ("/api/v1/agreements/", f"/api/v1/agreements/{agreement.pk}/",
                "/api/v1/bank/positions/", "/api/v1/bank/feed/"):  # fmt: skip
        assert bank.post(url, {}, format="json").status_code == 405
    assert api_as(None).get("/api/v1/bank/positions/").status_code == 401


def test_the_lists_read_in_a_fixed_number_of_queries(
    personas, policy, bank_org, buyers, django_assert_max_num_queries
):
    activate(personas, prepare(personas, policy, bank_org, scope="all"))
    bank = api_as(personas["bank"])
    for url in ("/api/v1/agreements/", "/api/v1/bank/positions/", "/api/v1/bank/feed/"):
        with django_assert_max_num_queries(15):
            assert bank.get(url).status_code == 200
