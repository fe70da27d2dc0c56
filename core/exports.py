"""CSV and XLSX exports of any list, from the same columns as the page (SPEC 11)."""

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.tables import Column

EXPORT_ROW_CAP = 100_000


class _Echo:
    def write(self, value):
        return value


def export_csv(rows: Iterable, columns: Sequence[Column], filename: str) -> StreamingHttpResponse:
    """Streamed CSV with a UTF-8 BOM so that Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff"
        yield writer.writerow([str(c.label) for c in columns])
        for obj in rows:
            yield writer.writerow([c.text(obj) for c in columns])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def export_xlsx(rows: Iterable, columns: Sequence[Column], filename: str) -> HttpResponse:
    """XLSX with money as numbers formatted to two places (Decimal → exact cell value)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    sheet.append([str(c.label) for c in columns])
    for obj in rows:
        cells = []
        for column in columns:
            value = column.raw(obj)
            if column.kind == "money" and isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
            elif column.kind in ("number", "date") and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
            else:
                cell = WriteOnlyCell(sheet, value=column.text(obj))
            cells.append(cell)
        sheet.append(cells)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    workbook.save(response)
    return response
