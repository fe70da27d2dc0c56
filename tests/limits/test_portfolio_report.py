"""The portfolio report (SPEC 4, 5; issue 10 B3): exposure over every current limit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from limits.models import CreditLimit
from limits.reports import ExposureRow, portfolio_report
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def limit(policy, buyer, amount, status="active"):
    return CreditLimit.objects.create(
        policy=policy, buyer=buyer, amount=Decimal(amount), payment_terms_days=60,
        source="insurer", effective_from="2026-01-01", status=status,
    )  # fmt: skip


@pytest.fixture
def book(insured_a, insured_b):
    """Three buyers with current limits (active or suspended count, SPEC 4); an expired
    and a cancelled limit that do not."""
    p1, p2 = PolicyFactory(insured=insured_a), PolicyFactory(insured=insured_b)
    a = BuyerFactory(risk_grade=2, region="44", industry="C")
    b = BuyerFactory(risk_grade=2, region="31", industry="F")
    c = BuyerFactory(risk_grade=5, region="44", industry="F")
    d = BuyerFactory(risk_grade=9, region="11", industry="C")
    limit(p1, a, "1000000.10")
    limit(p2, a, "500000.05", status="suspended")
    limit(p1, b, "2000000.00")
    limit(p2, b, "300000.00", status="expired")
    limit(p1, c, "250000.33")
    limit(p1, d, "9999999.00", status="cancelled")
    return {"a": a.pk, "b": b.pk, "c": c.pk}


def test_it_sums_every_current_limit_by_grade_region_and_industry(book, django_assert_num_queries):
    with django_assert_num_queries(1):
        report = portfolio_report()
    assert report.total == ExposureRow("", Decimal("3750000.48"), 3, 4)
    assert [row.key for row in report.by_grade] == list(range(1, 11))
    assert report.by_grade[1] == ExposureRow(2, Decimal("3500000.15"), 2, 3)
    assert report.by_grade[4] == ExposureRow(5, Decimal("250000.33"), 1, 1)
    assert report.by_grade[8] == ExposureRow(9, Decimal(0), 0, 0)  # only a cancelled limit
    assert report.by_region == [
        ExposureRow("31", Decimal("2000000.00"), 1, 1),
        ExposureRow("44", Decimal("1750000.48"), 2, 3),
    ]
    assert report.by_industry == [
        ExposureRow("F", Decimal("2250000.33"), 2, 2),
        ExposureRow("C", Decimal("1500000.15"), 1, 2),
    ]


def test_the_top_buyers_are_the_largest_aggregate_exposures_over_all_policies(book):
    top = portfolio_report(top=2).top_buyers
    assert [(row.buyer_id, row.exposure, row.limits) for row in top] == [
        (book["b"], Decimal("2000000.00"), 1),
        (book["a"], Decimal("1500000.15"), 2),
    ]
    assert top[0].risk_grade == 2 and top[0].uscc and top[0].name


def test_an_empty_book_reports_zero_everywhere():
    report = portfolio_report()
    assert report.total == ExposureRow("", Decimal(0), 0, 0)
    assert all(row.exposure == 0 for row in report.by_grade) and len(report.by_grade) == 10
    assert report.by_region == report.by_industry == report.top_buyers == []


def test_the_page_shows_the_book_to_staff_in_a_fixed_number_of_queries(
    book, client, personas, django_assert_max_num_queries
):
    client.force_login(personas["underwriter"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("limits:portfolio"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "3,750,000.48" in html and "2,250,000.33" in html
    assert page.context["by_region"][0][1].key == "31"
    assert reverse("buyers:detail", args=[book["b"]]) in html


def test_insured_users_do_not_see_the_page(client, personas):
    client.force_login(personas["insured_a"])
    assert client.get(reverse("limits:portfolio")).status_code == 404
