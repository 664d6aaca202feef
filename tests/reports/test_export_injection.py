"""No export carries a live formula: names typed by staff that start like one come out as inert text (OWASP)."""
import csv
import io
from datetime import datetime

import openpyxl
import pytest

from casehub.extensions import db
from casehub.reports.exports import FORMULA_STARTS, Document, Table, to_csv, to_xlsx
from casehub.reports.rollup import rebuild_rollups
from tests.reports.conftest import report_world  # noqa: F401 (the generated city, a fixture)

PERIOD = "from=2026-09-21&to=2026-10-02"
HYPERLINK = '=HYPERLINK("http://x","y")'
NAMES = [HYPERLINK, "@SUM(1+1)"]


@pytest.fixture
def booby_trapped(report_world):  # noqa: F811 (the imported fixture)
    """The generated city, its first agency's categories named like formulas (as a careless or hostile manager
    might), rolled up."""
    world = report_world
    for category, name in zip([c for c in world.categories if c.default_agency == world.agencies[0]], NAMES):
        category.name_zh = category.name_en = name
    world.agencies[0].name_zh = world.agencies[0].name_en = "-1+cmd|' /C calc'!A0"
    rebuild_rollups(world.first, world.last, now=world.now)
    db.session.commit()
    return world


def workbook_cells(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]


def csv_fields(data: bytes) -> list[str]:
    return [field for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for field in row]


def test_every_export_writes_formula_like_names_as_inert_text(booby_trapped, client, login):
    world = booby_trapped
    login(world.manager)
    agency = world.agencies[0].code
    exports = [f"/reports/sla.{{fmt}}?{PERIOD}&group_by=category", f"/reports/dashboard.{{fmt}}?{PERIOD}",
               f"/reports/monthly/{agency}/2026-09.{{fmt}}", f"/reports/calls.{{fmt}}?{PERIOD}"]
    for url in exports:
        cells = workbook_cells(client.get(url.format(fmt="xlsx")).data)
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"], url
        texts = [cell for cell in cells if isinstance(cell.value, str)]
        assert all(cell.data_type == "s" for cell in texts), url
        assert not [cell.value for cell in texts if cell.value.startswith(FORMULA_STARTS)], url
        fields = csv_fields(client.get(url.format(fmt="csv")).data)
        assert not [field for field in fields if field.startswith(FORMULA_STARTS)
                    and not _is_number(field)], url
        if "calls" not in url:  # the call-centre report names no category
            inert = [cell for cell in texts if cell.value == "'" + HYPERLINK]
            assert inert and all(cell.data_type == "s" for cell in inert), url
            assert "'" + HYPERLINK in fields, url
    dashboard = workbook_cells(client.get(f"/reports/dashboard.xlsx?{PERIOD}").data)
    assert "'-1+cmd|' /C calc'!A0" in [cell.value for cell in dashboard if cell.data_type == "s"]  # the agency


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def test_numbers_stay_numbers_and_text_stays_text():
    table = Table("=title", ["-column", "@column"], [
        [-5, -2.5, "-5", "\tTab", "\rReturn", "+886 7 336 8333", "#N/A", "a=b", "", None, datetime(2026, 12, 5, 9, 30)]])
    document = Document("+Document", [("=filter", "@value")], [table])
    cells = {cell.value: cell.data_type for cell in workbook_cells(to_xlsx(document))}
    assert cells[-5] == "n" and cells[-2.5] == "n" and cells[datetime(2026, 12, 5, 9, 30)] == "d"
    # XML reads a carriage return back as a line feed; the quote before it is what counts.
    for text in ("'-5", "'\tTab", "'\nReturn", "'+886 7 336 8333", "#N/A", "a=b", "'=title", "'-column",
                 "'@column", "'+Document", "'=filter", "'@value"):
        assert cells[text] == "s", text
    rows = list(csv.reader(io.StringIO(to_csv(document).decode("utf-8-sig"))))
    assert rows[0] == ["'+Document"] and rows[1] == ["'=filter", "'@value"]
    assert rows[-1] == ["-5", "-2.5", "'-5", "'\tTab", "'\rReturn", "'+886 7 336 8333", "#N/A", "a=b", "", "",
                        "2026-12-05 09:30"]


def test_characters_xml_cannot_hold_are_dropped_not_a_failed_export():
    cells = workbook_cells(to_xlsx(Document("t", [], [Table("t", ["a"], [["bell\x07 and nul\x00"]])])))
    assert "bell and nul" in [cell.value for cell in cells]
