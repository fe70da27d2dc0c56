"""Deadlines through HTTP (SPEC 7 "Deadline reminders", 10): what is due next with the
days left, as each role may see it; read-only."""

from datetime import date

import pytest

from deadlines.choices import DeadlineKind, DeadlineStatus
from deadlines.models import Deadline
from deadlines.services import deadline_meet
from policies.choices import PolicyStatus
from premiums.services import premium_account_open
from tests.conftest import api_as
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/deadlines/"


def _open_account(insured):
    policy = PolicyFactory(insured=insured, status=PolicyStatus.IN_FORCE)
    premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    return policy


@pytest.fixture
def policy(insured_a):
    """Insured A's 2026 policy: four declaration deadlines and four instalments."""
    return _open_account(insured_a)


@pytest.fixture
def policy_b(insured_b):
    return _open_account(insured_b)


def rows(user, **query):
    response = api_as(user).get(URL, query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_an_insured_sees_its_deadlines_soonest_first_with_the_days_left(policy, policy_b, personas):
    mine = rows(personas["insured_a"])
    assert {row["policy"] for row in mine} == {policy.pk}
    assert [(row["kind"], row["due_on"], row["days_left"]) for row in mine] == [
        ("instalment", "2026-01-01", -257),
        ("instalment", "2026-04-01", -167),
        ("declaration", "2026-04-15", -153),
        ("instalment", "2026-07-01", -76),
        ("declaration", "2026-07-15", -62),
        ("instalment", "2026-10-01", 16),  # today is 2026-09-15
        ("declaration", "2026-10-15", 30),
        ("declaration", "2027-01-15", 122),
    ]
    q3 = mine[6]
    assert (q3["key"], q3["party"], q3["status"], q3["met_on"], q3["is_late"]) == (
        "Q3", "insured", "open", None, False,
    )  # fmt: skip
    assert (q3["subject_type"], q3["subject_id"]) == ("policies.policy", policy.pk)
    assert q3["policy_number"] == policy.policy_number
    assert q3["detail"].startswith("Q3 2026-07-01")
    assert mine[0]["subject_type"] == "premiums.debitnote"
    assert len(rows(personas["underwriter"])) == 16


def test_insured_b_and_a_bank_see_none_of_insured_as_deadlines(policy, personas):
    deadline = Deadline.objects.filter(policy=policy).first()
    assert rows(personas["insured_b"]) == []
    assert rows(personas["bank"]) == []
    for role in ("insured_b", "bank"):
        assert api_as(personas[role]).get(f"{URL}{deadline.pk}/").status_code == 404
    detail = api_as(personas["insured_a"]).get(f"{URL}{deadline.pk}/")
    assert (detail.status_code, detail.json()["id"]) == (200, deadline.pk)
    assert api_as(None).get(URL).status_code == 401


def test_a_met_deadline_has_no_days_left_and_says_whether_it_was_late(policy, personas):
    deadline_meet(kind=DeadlineKind.DECLARATION, subject=policy, key="Q2", on=date(2026, 7, 20))
    [q2] = rows(personas["insured_a"], kind="declaration", status="met")
    assert (q2["key"], q2["met_on"], q2["is_late"], q2["days_left"]) == (
        "Q2", "2026-07-20", True, None,
    )  # fmt: skip


def test_deadlines_filter_by_status_kind_policy_and_due_dates(policy, policy_b, personas):
    staff = personas["underwriter"]
    deadline_meet(kind=DeadlineKind.DECLARATION, subject=policy, key="Q1", on=date(2026, 4, 2))
    pending = rows(staff, policy=policy.pk, status=["open", "missed"], kind="declaration")
    assert [row["key"] for row in pending] == ["Q2", "Q3", "Q4"]
    upcoming = rows(staff, policy=policy.pk, due_after="2026-09-15", due_before="2026-12-31")
    assert [(row["kind"], row["due_on"]) for row in upcoming] == [
        ("instalment", "2026-10-01"),
        ("declaration", "2026-10-15"),
    ]
    assert len(rows(staff, party="insured", kind=["instalment"])) == 8
    newest = rows(staff, policy=policy_b.pk, ordering="-due_on")
    assert newest[0]["due_on"] == "2027-01-15"
    assert rows(personas["insured_b"], policy=policy.pk) == []  # like a policy not there


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"due_after": "2026-02-30"}, "due_after"),
        ({"status": "late"}, "status"),
        ({"kind": "claim"}, "kind"),
        ({"policy": "x"}, "policy"),
        ({"days_left": "3"}, "days_left"),
    ],
)
def test_a_bad_query_is_refused_naming_it(policy, personas, query, field):
    response = api_as(personas["insured_a"]).get(URL, query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_deadlines_are_read_only(policy, personas):
    deadline = Deadline.objects.filter(policy=policy).first()
    client = api_as(personas["underwriter"])
    assert client.post(URL, {}, format="json").status_code == 405
    assert client.patch(f"{URL}{deadline.pk}/", {"status": "met"}, format="json").status_code == 405
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN


def test_the_deadline_list_takes_a_fixed_number_of_queries(
    policy, policy_b, personas, django_assert_max_num_queries
):
    client = api_as(personas["underwriter"])
    with django_assert_max_num_queries(3):
        response = client.get(URL)
    assert len(response.json()["results"]) == 16
