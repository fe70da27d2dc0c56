"""The deadline engine's pages through HTTP (SPEC 7, 10): what is due next with days
left, missed ones flagged, filters and exports; the month calendar; the homes.

The business day is 2026-09-15."""

from datetime import date

import pytest
from django.test import Client

from deadlines.services import deadline_waive, deadlines_sweep
from premiums import services
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def accounts(insured_a, insured_b):
    """A policy per insured with its premium account open: 4 instalments and 4
    declaration deadlines each."""
    policies = {
        "a": PolicyFactory(insured=insured_a, status="in_force"),
        "b": PolicyFactory(insured=insured_b, status="in_force"),
    }
    for policy in policies.values():
        services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    return policies


def test_the_insured_sees_its_own_deadlines_soonest_first_with_days_left(accounts, personas):
    response = client_for(personas["insured_a"]).get("/deadlines/")
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert {r.policy_id for r in rows} == {accounts["a"].pk}
    assert len(rows) == 8 and rows == sorted(rows, key=lambda r: (r.due_on, r.pk))
    page = response.content.decode()
    assert "30" in page and 'data-testid="days-left"' in page
    # Without a status filter: only what is still to do (open and missed).
    services.declaration_prepare(
        actor=personas["insured_a"], policy_id=accounts["a"].pk, quarter=2,
        turnover=1000, submit=True,
    )  # fmt: skip
    after = client_for(personas["insured_a"]).get("/deadlines/").context["object_list"]
    assert len(after) == 7
    met = client_for(personas["insured_a"]).get("/deadlines/?status=met").context["object_list"]
    assert [(d.kind, d.key) for d in met] == [("declaration", "Q2")]


def test_missed_deadlines_are_flagged_red_and_filters_and_exports_work(accounts, personas):
    deadlines_sweep(today=date(2026, 9, 15), reminder_days=[])
    client = client_for(personas["underwriter"])
    response = client.get("/deadlines/?kind=declaration&status=missed")
    rows = list(response.context["object_list"])
    assert {(r.policy_id, r.key) for r in rows} == {
        (accounts["a"].pk, "Q1"), (accounts["a"].pk, "Q2"),
        (accounts["b"].pk, "Q1"), (accounts["b"].pk, "Q2"),
    }  # fmt: skip
    assert "text-bg-danger" in response.content.decode()
    only_b = client.get(f"/deadlines/?policy={accounts['b'].policy_number}")
    assert {r.policy_id for r in only_b.context["object_list"]} == {accounts["b"].pk}
    csv = b"".join(client.get("/deadlines/?kind=declaration&export=csv").streaming_content)
    text = csv.decode()
    assert text.count(accounts["a"].policy_number) == 4 and "-153" in text  # Q1: 15 April
    xlsx = client.get("/deadlines/?export=xlsx")
    assert xlsx.status_code == 200
    sorted_desc = client.get("/deadlines/?sort=-due_on").context["object_list"]
    assert sorted_desc[0].due_on == date(2027, 1, 15)


def test_the_calendar_shows_a_month_of_deadlines(accounts, personas):
    client = client_for(personas["insured_a"])
    response = client.get("/deadlines/calendar/?month=2026-10")
    assert response.status_code == 200
    assert response.context["month"] == date(2026, 10, 1)
    days = {day.on: day.deadlines for week in response.context["weeks"] for day in week}
    assert [d.kind for d in days[date(2026, 10, 1)]] == ["instalment"]
    assert [d.key for d in days[date(2026, 10, 15)]] == ["Q3"]
    assert all(d.policy_id == accounts["a"].pk for ds in days.values() for d in ds)
    assert response.context["previous"] == "2026-09" and response.context["following"] == "2026-11"
    # A month it cannot read is this month.
    assert client.get("/deadlines/calendar/?month=x").context["month"] == date(2026, 9, 1)


def test_the_bank_sees_no_deadline_page(accounts, personas):
    for url in ("/deadlines/", "/deadlines/calendar/", "/deadlines/?export=csv"):
        assert client_for(personas["bank"]).get(url).status_code == 404


def test_the_homes_show_what_is_due_next_and_the_staff_the_missed_declarations(accounts, personas):
    insured = client_for(personas["insured_a"]).get("/")
    due = insured.context["due_next"]
    assert len(due) == 5 and {d.policy_id for d in due} == {accounts["a"].pk}
    assert 'data-testid="due-next"' in insured.content.decode()
    staff = client_for(personas["underwriter"]).get("/")
    assert staff.context["missed_declarations"] == 4  # Q1 and Q2 of both policies
    assert 'data-testid="missed-declarations"' in staff.content.decode()
    for policy in accounts.values():
        deadline_waive(kind="declaration", subject=policy, key="Q1", reason="保单注销")
    assert client_for(personas["underwriter"]).get("/").context["missed_declarations"] == 2
    assert "due_next" not in client_for(personas["bank"]).get("/").context


def test_a_busy_calendar_day_shows_its_first_few_and_links_the_rest(accounts, personas, insured_a):
    for _ in range(5):
        policy = PolicyFactory(insured=insured_a, status="in_force")
        services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    response = client_for(personas["insured_a"]).get("/deadlines/calendar/?month=2026-10")
    day = next(d for week in response.context["weeks"] for d in week if d.on == date(2026, 10, 1))
    assert (len(day.deadlines), day.total, day.more) == (4, 6, 2)
    assert response.context["open_count"] == 12  # 6 instalments, 6 Q3 declarations
    page = response.content.decode()
    assert "due_from=2026-10-01&amp;due_to=2026-10-01" in page
    listed = client_for(personas["insured_a"]).get(
        "/deadlines/?due_from=2026-10-01&due_to=2026-10-01&status=open&status=missed&status=met"
    )
    assert len(listed.context["object_list"]) == 6
