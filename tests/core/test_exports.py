"""SPEC 11: every list exports what the page shows, to CSV and XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(client, personas):
    client.force_login(personas["insured_a"])
    return client


def test_csv_export_holds_only_what_the_user_may_see(client_a, policy_a, policy_b):
    response = client_a.get("/policies/", {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[1][0] == policy_a.policy_number
    assert rows[1][7] == "200000.00"


def test_xlsx_export_has_money_as_exact_numbers(client, personas, insured_a):
    PolicyFactory(
        insured=insured_a,
        estimated_annual_turnover=Decimal("50000000"),
        premium_rate_percent=Decimal("0.42"),
    )
    client.force_login(personas["underwriter"])
    response = client.get("/policies/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert len(header) == 9
    assert sheet.cell(row=2, column=8).value == 168000
    assert sheet.cell(row=2, column=8).number_format == "#,##0.00"


def test_filters_and_sorting_apply_to_the_export(client, personas, insured_a):
    PolicyFactory(insured=insured_a, status="draft", policy_number="TCI2026000002")
    PolicyFactory(insured=insured_a, status="in_force", policy_number="TCI2026000001")
    PolicyFactory(insured=insured_a, status="in_force", policy_number="TCI2026000003")
    client.force_login(personas["underwriter"])
    response = client.get(
        "/policies/", {"export": "csv", "status": "in_force", "sort": "-policy_number"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    numbers = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert numbers == ["TCI2026000003", "TCI2026000001"]


def test_list_pages_do_not_grow_queries_with_rows(
    client, personas, insured_a, django_assert_max_num_queries
):
    for _ in range(30):
        PolicyFactory(insured=insured_a)
    client.force_login(personas["underwriter"])
    with django_assert_max_num_queries(8):
        assert client.get("/policies/").status_code == 200
