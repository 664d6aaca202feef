"""The roll-up: every cell equals a direct computation; today is refreshed, finished days are final."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from casehub.cases.models import Channel
from casehub.cases.services import open_case
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.reports.models import DailyCallStat, DailyCaseStat, DailyGroupStat
from casehub.reports.queries import ALL, GROUP_COLUMNS, ReportFilters, handling_times
from casehub.reports.rollup import (
    DIMENSIONS, CityDays, city_zone, compute_call_days, rebuild_rollups, refresh_rollups,
)
from tests.reports.direct import COUNTS, direct_cells
from tests.sla import taipei


def stored_cells() -> dict:
    cells = {}
    for row in db.session.scalars(sa.select(DailyCaseStat)):
        key = (row.day, row.agency_id, row.category_id, row.channel.value, row.district_id, row.kind.value)
        assert key not in cells
        cells[key] = {**{name: getattr(row, name) for name in COUNTS},
                      "minutes": sorted(row.handling_minutes), "working_days": sorted(row.handling_working_days)}
    return cells


def test_every_cell_equals_the_figure_computed_directly_from_cases_and_events(report_world):
    world = report_world
    result = rebuild_rollups(world.first, world.last, now=world.now)
    db.session.commit()

    expected = {key: {**cell, "minutes": sorted(cell["minutes"]), "working_days": sorted(cell["working_days"])}
                for key, cell in direct_cells(world.first, world.last, world.now).items()}
    assert stored_cells() == expected
    assert result.days == 12 and result.cells == len(expected)
    # The generated city exercises every figure.
    for name in COUNTS:
        assert sum(cell[name] for cell in expected.values()) > 0, name
    assert sum(cell["resolved"] - cell["resolved_on_time"] for cell in expected.values()) > 0


def test_days_are_final_once_over_and_today_is_not(report_world):
    rebuild_rollups(report_world.first, report_world.last, now=report_world.now)
    finals = dict(db.session.execute(sa.select(DailyCallStat.day, DailyCallStat.final)).all())
    assert finals == {day: day < report_world.last for day in CityDays(report_world.first, report_world.last,
                                                                      city_zone()).days}
    assert set(db.session.scalars(sa.select(DailyCaseStat.final).where(DailyCaseStat.day == report_world.last))) \
        == {False}


def test_the_days_by_dimension_sum_the_cells(report_world):
    rebuild_rollups(report_world.first, report_world.last, now=report_world.now)
    cells = stored_cells()
    for index, dimension in enumerate(DIMENSIONS, start=1):
        expected = {}
        for key, cell in cells.items():
            value = "" if key[index] is None else str(key[index])
            group = expected.setdefault((key[0], value),
                                        {**dict.fromkeys(COUNTS, 0), "minutes": [], "working_days": []})
            for name in COUNTS:
                group[name] += cell[name]
            group["minutes"] = sorted(group["minutes"] + cell["minutes"])
            group["working_days"] = sorted(group["working_days"] + cell["working_days"])
        rows = db.session.scalars(sa.select(DailyGroupStat).where(DailyGroupStat.dimension == dimension))
        stored = {(row.day, row.value): {**{name: getattr(row, name) for name in COUNTS},
                                         "minutes": sorted(row.handling_minutes),
                                         "working_days": sorted(row.handling_working_days)} for row in rows}
        assert stored == expected, dimension


def test_the_refresh_computes_today_and_finalises_the_days_that_ended(report_world):
    world = report_world
    rebuild_rollups(world.first, date(2026, 9, 29), now=taipei(2026, 9, 30, 0, 5))
    db.session.commit()
    refresh_rollups(world.now)
    days = dict(db.session.execute(sa.select(DailyCallStat.day, DailyCallStat.final)
                                   .where(DailyCallStat.day >= date(2026, 9, 29))).all())
    assert days == {date(2026, 9, 29): True, date(2026, 9, 30): True, date(2026, 10, 1): True,
                    date(2026, 10, 2): False}
    recomputed = {key: cell for key, cell in stored_cells().items() if key[0] >= date(2026, 9, 30)}
    expected = direct_cells(date(2026, 9, 30), world.last, world.now)
    assert recomputed == {key: {**cell, "minutes": sorted(cell["minutes"]),
                                "working_days": sorted(cell["working_days"])} for key, cell in expected.items()}


def test_a_finished_day_stays_final_until_a_late_letter_from_it_is_keyed_in(report_world, make_category):
    world = report_world
    rebuild_rollups(world.first, world.last, now=world.now)
    db.session.commit()
    computed = db.session.get(DailyCallStat, date(2026, 9, 24)).computed_at
    later = world.now + timedelta(minutes=5)
    refresh_rollups(later)
    assert db.session.get(DailyCallStat, date(2026, 9, 24)).computed_at == computed  # final: not recomputed
    received_before = db.session.scalar(sa.select(sa.func.sum(DailyCaseStat.received))
                                        .where(DailyCaseStat.day == date(2026, 9, 24)))
    open_case(category=world.categories[1], channel=Channel.WRITTEN, description="陳情信",
              received_at=taipei(2026, 9, 24, 10), now=later + timedelta(minutes=1))
    db.session.commit()
    refresh_rollups(later + timedelta(minutes=5))
    assert db.session.scalar(sa.select(sa.func.sum(DailyCaseStat.received))
                             .where(DailyCaseStat.day == date(2026, 9, 24))) == received_before + 1
    assert db.session.get(DailyCallStat, date(2026, 9, 24)).final


def test_calls_are_counted_the_same_in_the_database_and_in_python(report_world):
    days = CityDays(report_world.first, report_world.last, city_zone())
    in_database = compute_call_days(days, in_database=True)
    assert in_database == compute_call_days(days, in_database=False)
    assert sum(day["total"] for day in in_database.values()) == 150
    assert sum(day["satisfaction_responses"] for day in in_database.values()) > 0


@pytest.mark.parametrize("group_by", list(GROUP_COLUMNS))
def test_handling_times_are_the_same_in_the_database_and_in_python(report_world, group_by):
    """Over the cells (any filter beyond the period; the per-dimension days are checked against the direct count
    in test_api)."""
    rebuild_rollups(report_world.first, report_world.last, now=report_world.now)
    one_agency = ReportFilters(report_world.first, report_world.last, agency_id=report_world.agencies[0].id)
    in_database = handling_times(one_agency, group_by, in_database=True)
    assert in_database == handling_times(one_agency, group_by, in_database=False)
    assert in_database[ALL].median_minutes is not None


def test_a_range_that_ends_before_it_starts_or_after_today_is_refused(app):
    with pytest.raises(DomainError, match="ends .* before it starts"):
        rebuild_rollups(date(2026, 10, 2), date(2026, 10, 1), now=taipei(2026, 10, 5))
    with pytest.raises(DomainError, match="has not begun"):
        rebuild_rollups(date(2026, 10, 1), date(2026, 10, 6), now=taipei(2026, 10, 5))


def test_rollup_command_rebuilds_a_range_and_names_bad_input(report_world, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["casehub", "rollup", "--from", "2026-09-21", "--to", "2026-09-30"])
    assert result.exit_code == 0, result.output
    assert "10 days" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyCallStat)) == 10
    inverted = runner.invoke(args=["casehub", "rollup", "--from", "2026-09-30", "--to", "2026-09-21"])
    assert inverted.exit_code == 1 and "before it starts" in inverted.output
    garbage = runner.invoke(args=["casehub", "rollup", "--from", "30/09/2026", "--to", "2026-09-21"])
    assert garbage.exit_code == 2 and "--from" in garbage.output
