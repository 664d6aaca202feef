"""`flask casehub rollup` and `flask casehub import`: rebuild statistics, load a legacy system's history."""
import time
from datetime import date
from pathlib import Path

import click

from casehub.cli import _fail
from casehub.errors import DomainError
from casehub.extensions import db
from casehub.models import utcnow
from casehub.reports.importer import ImportRejected, ImportResult, import_calls, import_cases
from casehub.reports.rollup import rebuild_rollups

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _rollup(first: date, last: date) -> None:
    started = time.perf_counter()
    try:
        result = rebuild_rollups(first, last, now=utcnow())
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Roll-up of {first} to {last}: {result.days} days, {result.cells:,} cells "
               f"in {time.perf_counter() - started:.1f} s.")


@click.command("rollup")
@click.option("--from", "first", type=DAY, required=True, help="First day, YYYY-MM-DD (Asia/Taipei).")
@click.option("--to", "last", type=DAY, required=True, help="Last day, YYYY-MM-DD, at the latest today.")
def rollup_command(first, last) -> None:
    """Recompute the statistics roll-up of every day in a range (finished days become final)."""
    _rollup(first.date(), last.date())


@click.command("import")
@click.argument("what", type=click.Choice(["cases", "calls"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and skip the bad ones.")
def import_command(what: str, file: Path, skip_invalid: bool) -> None:
    """Import a legacy system's cases or calls from a CSV file (UTF-8), then roll up the days it touched."""
    with file.open(encoding="utf-8-sig", newline="") as lines:
        try:
            if what == "cases":
                result = import_cases(lines, source=file.name, skip_invalid=skip_invalid, now=utcnow())
            else:
                result = import_calls(lines, skip_invalid=skip_invalid, now=utcnow())
        except ImportRejected as error:
            _report_problems(error.result)
            _fail(error.message)
    db.session.commit()
    _report_problems(result)
    click.echo(f"Imported {result.imported:,} {what} in {result.seconds:.1f} s "
               f"({result.rows_per_second:,.0f} rows a second); {result.bad_rows:,} bad rows skipped.")
    if result.imported:
        _rollup(result.first_day, result.last_day)


def _report_problems(result: ImportResult | None) -> None:
    if result is None:
        return
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.bad_rows > len(result.problems):
        click.echo(f"... and {result.bad_rows - len(result.problems):,} more bad rows.", err=True)
