"""Reports API: the SLA report and the calls report against a direct count; scoping; every documented error."""
import math
import statistics

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.directory.models import Agency, Category, District
from casehub.extensions import db
from casehub.intake.models import Call
from casehub.reports.rollup import rebuild_rollups
from tests.reports.direct import direct_cells, direct_totals

PERIOD = "from=2026-09-21&to=2026-10-02"
KEY_INDEX = {"agency": 1, "category": 2, "channel": 3, "district": 4, "kind": 5}
MODELS = {"agency": Agency, "category": Category, "district": District}


def nearest_rank(values: list, fraction: float):
    return sorted(values)[math.ceil(fraction * len(values)) - 1]


def expected_row(totals: dict) -> dict:
    minutes, days = totals["minutes"], totals["working_days"]
    return {
        "received": totals["received"], "resolved": totals["resolved"],
        "resolved_on_time": totals["resolved_on_time"], "overdue_open": totals["overdue_open"],
        "reopened": totals["reopened"],
        "on_time_rate": round(100 * totals["resolved_on_time"] / totals["resolved"], 2) if totals["resolved"] else None,
        "median_hours": round(statistics.median(minutes) / 60, 2) if minutes else None,
        "p90_hours": round(nearest_rank(minutes, 0.9) / 60, 2) if minutes else None,
        "median_working_days": statistics.median(days) if days else None,
        "p90_working_days": nearest_rank(days, 0.9) if days else None,
    }


def cell_value(group_by: str, key: str | None):
    """What a row's key is in the cells: an id for agencies, categories and districts, else the code itself."""
    if key is None or group_by not in MODELS:
        return key
    model = MODELS[group_by]
    return db.session.scalar(sa.select(model.id).where(model.code == key))


@pytest.fixture
def rolled_up(report_world):
    rebuild_rollups(report_world.first, report_world.last, now=report_world.now)
    db.session.commit()
    return report_world


@pytest.mark.parametrize("group_by", list(KEY_INDEX))
def test_sla_report_rows_and_totals_equal_the_direct_count(rolled_up, client, login, group_by):
    world = rolled_up
    login(world.manager)
    body = client.get(f"/api/v1/reports/sla?{PERIOD}&group_by={group_by}").get_json()
    cells = direct_cells(world.first, world.last, world.now)
    index = KEY_INDEX[group_by]
    assert body["group_by"] == group_by and (body["from"], body["to"]) == ("2026-09-21", "2026-10-02")
    assert len(body["rows"]) == len({key[index] for key in cells})
    for row in body["rows"]:
        value = cell_value(group_by, row["key"])
        expected = expected_row(direct_totals(cells, last=world.last, keep=lambda key: key[index] == value))
        assert {name: row[name] for name in expected} == expected, row["key"]
        assert (row["name"] and row["name_en"]) or row["key"] is None
    assert {name: body["totals"][name] for name in expected_row(direct_totals(cells, last=world.last))} \
        == expected_row(direct_totals(cells, last=world.last))


def test_filters_narrow_the_sla_report(rolled_up, client, login):
    world = rolled_up
    login(world.manager)
    category = world.categories[1]
    body = client.get(f"/api/v1/reports/sla?{PERIOD}&group_by=district&category={category.code}&channel=phone"
                      ).get_json()
    cells = direct_cells(world.first, world.last, world.now)
    expected = direct_totals(cells, last=world.last, keep=lambda key: key[2] == category.id and key[3] == "phone")
    assert body["totals"]["received"] == expected["received"] and body["totals"]["resolved"] == expected["resolved"]


def test_agency_supervisors_get_their_own_agency_only(rolled_up, client, login):
    world = rolled_up
    mine, other = world.agencies
    login(world.supervisors[mine.id])
    body = client.get(f"/api/v1/reports/sla?{PERIOD}&group_by=agency").get_json()
    assert [row["key"] for row in body["rows"]] == [mine.code]
    by_category = client.get(f"/api/v1/reports/sla?{PERIOD}&group_by=category").get_json()
    mine_only = direct_totals(direct_cells(world.first, world.last, world.now), last=world.last,
                              keep=lambda key: key[1] == mine.id)
    assert by_category["totals"]["received"] == mine_only["received"]
    assert by_category["totals"]["resolved"] == mine_only["resolved"]
    refused = client.get(f"/api/v1/reports/sla?{PERIOD}&agency={other.code}")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/reports/calls?{PERIOD}").status_code == 403


@pytest.mark.parametrize(("query", "field", "words"), [
    ("from=2026-10-02&to=2026-09-21", "to", "ends (2026-09-21) before it starts (2026-10-02)"),
    ("from=21/09/2026&to=2026-10-02", "from", "Not a valid date: use YYYY-MM-DD."),
    ("from=2026-09-21&to=tomorrow", "to", "Not a valid date: use YYYY-MM-DD."),
    ("to=2026-10-02", "from", "Required"),
    (f"{PERIOD}&group_by=weekday", "group_by", "Unknown group_by 'weekday': use one of agency, category, channel"),
    (f"{PERIOD}&agency=NOPE", "agency", "No agency has the code 'NOPE'."),
    (f"{PERIOD}&channel=pigeon", "channel", "Unknown channel 'pigeon'"),
])
def test_bad_report_queries_get_a_422_naming_the_problem(client, login, make_user, query, field, words):
    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    response = client.get(f"/api/v1/reports/sla?{query}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_query"
    assert field in error["fields"] and words in " ".join(error["fields"][field])
    assert field in error["message"] and words in error["message"]


def test_calls_report_counts_the_period(rolled_up, client, login):
    world = rolled_up
    login(world.manager)
    body = client.get(f"/api/v1/reports/calls?{PERIOD}").get_json()
    calls = db.session.scalars(sa.select(Call)).all()
    by_outcome = {outcome: sum(call.outcome.value == outcome for call in calls) for outcome in ("consultation", "case",
                                                                                                  "other")}
    assert body["total"] == len(calls) == 150
    assert body["by_outcome"] == by_outcome
    assert body["shares"] == {key: round(100 * value / 150, 2) for key, value in by_outcome.items()}
    consultations = [call for call in calls if call.outcome.value == "consultation"]
    assert body["answered_immediately_rate"] == round(
        100 * sum(bool(call.answered_immediately) for call in consultations) / len(consultations), 2)
    assert body["monthly_average"] == round(150 / (10 / 30 + 2 / 31))
    assert client.get("/api/v1/reports/calls?from=2026-10-02&to=2026-09-21").status_code == 422


def test_reports_need_a_reading_role(client, login, make_user):
    assert client.get(f"/api/v1/reports/sla?{PERIOD}").status_code == 401
    operator = make_user(Role.OPERATOR)
    db.session.commit()
    login(operator)
    assert client.get(f"/api/v1/reports/sla?{PERIOD}").status_code == 403


def test_the_reports_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/reports/sla", "/api/v1/reports/calls"} <= set(paths)
    parameters = {parameter["name"] for parameter in paths["/api/v1/reports/sla"]["get"]["parameters"]}
    assert {"from", "to", "group_by", "agency"} <= parameters
