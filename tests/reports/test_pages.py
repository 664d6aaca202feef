"""The dashboard, the SLA report page and the exports agree with each other and with a direct count;
every figure links to the inbox listing exactly its cases; no personal data leaves in an export."""
import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import Case
from casehub.extensions import db
from casehub.reports.rollup import rebuild_rollups
from tests.reports.conftest import REPORTER
from tests.reports.direct import direct_cells, direct_totals

PERIOD = "from=2026-09-21&to=2026-10-02"
PERSONAL = (REPORTER["name"], REPORTER["phone"], REPORTER["email"], "四維三路")


@pytest.fixture
def rolled_up(report_world):
    rebuild_rollups(report_world.first, report_world.last, now=report_world.now)
    db.session.commit()
    return report_world


def csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    """The tables of an exported CSV by title (after a blank row: a title row, a header row, rows)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    tables, current = {}, None
    for previous, row in zip([None] + rows, rows):
        if previous == [] and len(row) == 1 and row[0]:
            current = tables.setdefault(row[0], [])
        elif current is not None and row:
            current.append(row)
        elif not row:
            current = None
    return tables


def xlsx_tables(data: bytes) -> dict[str, list[list]]:
    """The tables of an exported workbook by title (each sheet: title, filters, blank, table title, header, rows)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    tables = {}
    for sheet in workbook.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        start = next(index for index, row in enumerate(rows) if all(value is None for value in row))
        tables[rows[start + 1][0]] = [["" if value is None else str(value) for value in row]
                                      for row in rows[start + 2:]]
    return tables


def same_values(rows: list[list[str]]) -> list[list]:
    """Numbers as numbers: a spreadsheet keeps 40.0 as 40, a CSV writes it out."""
    def value(text: str):
        try:
            return float(text)
        except ValueError:
            return text
    return [[value(text) for text in row] for row in rows]


def links(html: str) -> dict[str, str]:
    """href -> text of every inbox link on a page."""
    return {unescape(href): re.sub(r"<[^>]+>", "", text).strip()
            for href, text in re.findall(r'<a href="(/cases/\?[^"]+)"[^>]*>(.*?)</a>', html)}


def inbox_numbers(client, href: str) -> set[str]:
    page = client.get(href + "&per_page=100").get_data(as_text=True)
    return set(re.findall(r'href="/cases/(\d{8}-\d{6})"', page))


def test_dashboard_exports_and_the_direct_count_agree(rolled_up, client, login):
    world = rolled_up
    login(world.manager)
    client.post("/language/en")  # the exports' table titles below are the English ones
    cells = direct_cells(world.first, world.last, world.now)
    by_agency = {agency.code: direct_totals(cells, last=world.last, keep=lambda key, id_=agency.id: key[1] == id_)
                 for agency in world.agencies}
    everything = direct_totals(cells, last=world.last)

    html = client.get(f"/reports/?{PERIOD}").get_data(as_text=True)
    exported_csv = csv_tables(client.get(f"/reports/dashboard.csv?{PERIOD}").data)
    exported_xlsx = xlsx_tables(client.get(f"/reports/dashboard.xlsx?{PERIOD}").data)
    assert exported_csv.keys() == exported_xlsx.keys()
    for title in exported_csv:
        assert same_values(exported_csv[title]) == same_values(exported_xlsx[title]), title
    totals = exported_csv["Totals"][1]
    assert [int(totals[0]), int(totals[1]), int(totals[2])] == \
        [everything["received"], everything["resolved"], everything["resolved_on_time"]]
    agencies = {row[0]: row for row in exported_csv["On-time rate by agency"][1:]}
    for code, expected in by_agency.items():
        assert [int(value) for value in agencies[code][2:5]] == \
            [expected["received"], expected["resolved"], expected["resolved_on_time"]]
        assert int(agencies[code][6]) == expected["overdue_open"]
    # The page shows the same figures, each linking to the inbox that lists exactly those cases.
    anchors = links(html)
    for code, expected in by_agency.items():
        href = next(href for href in anchors if parse_qs(urlsplit(href).query).get("agency") == [code]
                    and "received_from" in href)
        assert int(anchors[href].replace(",", "")) == expected["received"]
        received = {case.number for case in db.session.scalars(sa.select(Case)) if case.agency.code == code
                    and world.first <= case.received_at.astimezone(world.now.tzinfo).date() <= world.last}
        assert inbox_numbers(client, href) == received


def test_the_overdue_figures_link_to_the_inbox_overdue_list(rolled_up, client, login):
    world = rolled_up
    login(world.manager)
    html = client.get(f"/reports/?{PERIOD}").get_data(as_text=True)
    for href, text in links(html).items():
        query = parse_qs(urlsplit(href).query)
        if query.get("overdue") == ["true"] and "agency" in query:
            assert len(inbox_numbers(client, href)) == int(text)


def test_sla_page_and_its_exports_agree(rolled_up, client, login):
    world = rolled_up
    login(world.manager)
    query = f"{PERIOD}&group_by=district"
    api = client.get(f"/api/v1/reports/sla?{query}").get_json()
    exported = csv_tables(client.get(f"/reports/sla.csv?{query}").data)
    table = next(iter(exported.values()))
    by_code = {row[0]: row for row in table[1:-1]}  # the last row holds the totals
    for row in api["rows"]:
        assert int(by_code[row["key"] or ""][2]) == row["received"]
        assert int(by_code[row["key"] or ""][4]) == row["resolved_on_time"]
    assert same_values(next(iter(xlsx_tables(client.get(f"/reports/sla.xlsx?{query}").data).values()))) \
        == same_values(table)
    html = client.get(f"/reports/sla?{query}").get_data(as_text=True)
    assert f'{api["totals"]["received"]:,}' in html


def test_exports_name_their_filters_and_carry_no_personal_data(rolled_up, client, login):
    world = rolled_up
    login(world.manager)
    agency = world.agencies[0]
    for url in (f"/reports/dashboard.csv?{PERIOD}&agency={agency.code}",
                f"/reports/sla.csv?{PERIOD}&agency={agency.code}&group_by=category",
                f"/reports/calls.csv?{PERIOD}", f"/reports/monthly/{agency.code}/2026-09.csv"):
        text = client.get(url).data.decode("utf-8-sig")
        head = list(csv.reader(io.StringIO(text)))[:8]
        assert "2026-09" in str(head), url  # the period is in the file
        assert not any(value in text for value in PERSONAL), url
        if "agency=" in url or "monthly" in url:
            assert agency.code in str(head), url
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/monthly/{agency.code}/2026-09.xlsx").data))
    cells = " ".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row)
    assert agency.code in cells and not any(value in cells for value in PERSONAL)


def test_supervisors_see_their_agency_dashboard_only(rolled_up, client, login):
    world = rolled_up
    mine, other = world.agencies
    login(world.supervisors[mine.id])
    client.post("/language/en")
    exported = csv_tables(client.get(f"/reports/dashboard.csv?{PERIOD}").data)
    assert {row[0] for row in exported["On-time rate by agency"][1:]} == {mine.code}
    assert client.get(f"/reports/?{PERIOD}&agency={other.code}").status_code == 403
    assert client.get("/reports/calls").status_code == 403


def test_a_bad_period_on_a_page_is_named_beside_the_filters(rolled_up, client, login):
    login(rolled_up.manager)
    client.post("/language/en")
    response = client.get("/reports/?from=2026-10-02&to=2026-09-21")
    assert response.status_code == 422
    assert "The period ends (2026-09-21) before it starts (2026-10-02)." in response.get_data(as_text=True)
    refused = client.get("/reports/sla?from=2026-09-21&to=2026-10-02&group_by=weekday")
    assert refused.status_code == 422 and "Unknown group_by" in refused.get_data(as_text=True)


def test_report_pages_are_for_managers_and_supervisors(client, login, make_user):
    for role in (Role.OPERATOR, Role.AGENCY_STAFF, Role.ADMIN):
        user = make_user(role)
        db.session.commit()
        login(user)
        assert client.get("/reports/").status_code == 403, role
        client.post("/logout")


def test_the_filter_bar_keeps_the_chosen_filters_and_offers_retired_categories(report_world, client, login):
    world = report_world
    retired, agency, district = world.categories[0], world.agencies[1], world.districts[0]
    retired.active = False  # its cases stay in the reports, so it stays a filter
    db.session.commit()
    login(world.manager)
    client.post("/language/en")
    page = client.get(f"/reports/sla?{PERIOD}&group_by=channel&agency={agency.code}&category={retired.code}"
                      f"&district={district.code}&channel=phone&kind=petition").get_data(as_text=True)
    for value, text in ((agency.code, agency.name_en), (retired.code, retired.name_en),
                        (district.code, district.name_en), ("phone", "Phone (1999)"), ("petition", "Petition"),
                        ("channel", "Channel")):
        assert f'<option value="{value}" selected>{text}</option>' in page, value
    client.post("/logout")
    login(world.supervisors[agency.id])
    page = client.get(f"/reports/?{PERIOD}").get_data(as_text=True)
    assert 'id="f-category"' in page and 'id="f-agency"' not in page
