"""Any report as CSV or XLSX: its title, the filters it was made with, then its tables.

A report becomes a Document (plain values, already in the reader's language) and either
writer turns it into a file. Documents hold figures, codes, case numbers and times only:
no reporter, address or free text, so no personal data ever leaves in an export.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SHEET_NAME_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)


@dataclass
class Document:
    title: str
    filters: list[tuple[str, str]]
    tables: list[Table]


def _cell(value):
    """Values as a spreadsheet should hold them: times without a zone (already local), None as empty."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def to_csv(document: Document) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows the Chinese right; filters first, then each table."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([document.title])
    writer.writerows([name, value] for name, value in document.filters)
    for table in document.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(["" if value is None else _text(value) for value in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_xlsx(document: Document) -> bytes:
    """One sheet per table, each starting with the report's title and filters."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for number, table in enumerate(document.tables, start=1):
        sheet = workbook.create_sheet(f"{number} {table.title}".translate(SHEET_NAME_FORBIDDEN)[:31])
        sheet.append([document.title])
        sheet.cell(row=1, column=1).font = bold
        for name, value in document.filters:
            sheet.append([name, value])
        sheet.append([])
        sheet.append([table.title])
        sheet.append(table.columns)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in table.rows:
            sheet.append([_cell(value) for value in row])
        for column in sheet.columns:
            width = max(len(_text(cell.value)) if cell.value is not None else 0 for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


WRITERS = {"csv": to_csv, "xlsx": to_xlsx}
