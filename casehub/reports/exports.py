"""Any report as CSV or XLSX: its title, the filters it was made with, then its tables.

A report becomes a Document (plain values, already in the reader's language) and either
writer turns it into a file. Documents hold figures, codes, case numbers and times only:
no reporter, address or free text, so no personal data ever leaves in an export.

Every cell either writer puts in a file goes through spreadsheet_value(): text that a spreadsheet would
take for a formula is neutralised, as OWASP advises against CSV injection, because names such as a
category's are typed by staff and the files are opened by supervisors.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING, Cell
from openpyxl.styles import Font

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SHEET_NAME_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})
# What makes Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def spreadsheet_value(value):
    """A value as a spreadsheet cell should hold it: text never read as a formula (a leading quote when it starts
    like one), numbers as numbers (a negative one too), times without a zone (already local)."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def to_csv(document: Document) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows the Chinese right; filters first, then each table."""
    out = io.StringIO()
    writer = csv.writer(out)

    def write(row: list) -> None:
        writer.writerow(["" if value is None else _text(spreadsheet_value(value)) for value in row])

    write([document.title])
    for name, value in document.filters:
        write([name, value])
    for table in document.tables:
        write([])
        write([table.title])
        write(table.columns)
        for row in table.rows:
            write(row)
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
        _append(sheet, [document.title])
        sheet.cell(row=1, column=1).font = bold
        for name, value in document.filters:
            _append(sheet, [name, value])
        sheet.append([])
        _append(sheet, [table.title])
        _append(sheet, table.columns)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in table.rows:
            _append(sheet, row)
        for column in sheet.columns:
            width = max(len(_text(cell.value)) if cell.value is not None else 0 for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _append(sheet, row: list) -> None:
    cells = []
    for value in map(spreadsheet_value, row):
        if isinstance(value, str):
            # Characters XML cannot hold would make openpyxl refuse the whole file; they carry nothing to read.
            cell = Cell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            # openpyxl guesses a formula from a leading "=" and an error from "#N/A": text is always text.
            cell.data_type = TYPE_STRING
        else:
            cell = Cell(sheet, value=value)
        cells.append(cell)
    sheet.append(cells)


WRITERS = {"csv": to_csv, "xlsx": to_xlsx}
