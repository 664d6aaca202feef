"""Reports benchmark on five years of volume: a year's roll-up rebuild, 100,000-row imports, and the
dashboard and the SLA report for a month.

    python -m bench.reports [--month 2026-10] [--requests 100] [--rows 100000]
                            [--database-url postgresql://postgres@127.0.0.1/casehub_bench_reports]

Fill the database first with `python -m bench.generate --database-url ...` (1.6 million cases,
4.3 million calls). Then, in this process: the generated data's other days are rolled up once
(untimed, skipped when already there), and the roll-up of the twelve months ending with --month
is rebuilt and committed (timed); 100,000 legacy cases and 100,000 calls are generated as CSV
and imported (timed, then rolled back so the database stays as it was). Finally gunicorn (two
workers) serves the app and the dashboard page, the SLA report (API and page) for the month are
requested one at a time over loopback, as a manager and as an agency supervisor: p50/p95/p99.
The load generator shares the machine with the server, and the figures say so.
"""
import argparse
import csv
import http.client
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench import api_load

PORT = 8897  # not api_load's, so both benchmarks can run at once


def in_process(database_url: str):
    """The app on the benchmark database, embedded mode (no Redis needed for the roll-up and the import)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    from casehub import create_app

    return create_app()


def rebuild_year(app, month: date) -> None:
    """Time the rebuild of the twelve months ending with `month`. The generated data's other days are rolled up
    first, once and untimed, so the pages read roll-up tables of five years, as the city's would be."""
    from casehub.cases.models import Case
    from casehub.extensions import db
    from casehub.models import utcnow
    from casehub.reports.models import DailyCallStat
    from casehub.reports.queries import add_months
    from casehub.reports.rollup import city_today, rebuild_rollups

    first, last = add_months(month, -11), add_months(month, 1) - timedelta(days=1)
    with app.app_context():
        now = utcnow()
        oldest, newest = (city_today(instant) for instant in db.session.execute(
            sa.select(sa.func.min(Case.received_at), sa.func.max(Case.received_at))).one())
        computed = set(db.session.scalars(sa.select(DailyCallStat.day)))
        other_ranges = ((oldest, first - timedelta(days=1)), (last + timedelta(days=1), min(newest, city_today(now))))
        for other_first, other_last in other_ranges:
            if other_first <= other_last and not {other_first, other_last} <= computed:
                began = time.perf_counter()
                result = rebuild_rollups(other_first, other_last, now=now)
                db.session.commit()
                print(f"roll-up of the other days, {other_first} to {other_last} (untimed): {result.cells:,} cells "
                      f"in {time.perf_counter() - began:.0f} s", flush=True)
        began = time.perf_counter()
        result = rebuild_rollups(first, last, now=now)
        db.session.commit()
        seconds = time.perf_counter() - began
        print(f"roll-up rebuild {first} to {last}: {result.days} days, {result.cells:,} cells in {seconds:.1f} s",
              flush=True)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("daily_case_stats", "daily_group_stats", "daily_call_stats"):
                connection.execute(sa.text(f"VACUUM ANALYZE {table}"))


def legacy_cases(app, path: Path, rows: int) -> None:
    """`rows` legacy cases of 2020 in the real categories, agencies and districts, in a plausible mix."""
    from casehub.directory.models import Category, District
    from casehub.extensions import db
    from casehub.reports.importer import CASE_COLUMNS

    rng = random.Random(2020)
    with app.app_context():
        categories = [(c.code, c.kind.value, c.default_agency.code) for c in db.session.scalars(sa.select(Category))]
        districts = list(db.session.scalars(sa.select(District.code)))
    channels = ["phone"] * 6 + ["mayor_mailbox", "counter", "written", "fax", "app"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CASE_COLUMNS)
        for n in range(rows):
            code, kind, agency = rng.choice(categories)
            received = datetime(2020, 1, 1) + timedelta(seconds=rng.randrange(366 * 86400))
            hours = rng.lognormvariate(1.2, 1.0) if kind == "dispatch" else rng.lognormvariate(3.5, 0.6)
            due = received + (timedelta(hours=4) if kind == "dispatch" else timedelta(days=8))
            accepted = received + timedelta(minutes=rng.randrange(5, 60))
            resolved = max(accepted, received + timedelta(hours=hours))
            closed = resolved + timedelta(days=3)
            fate = rng.random()
            status, times = ("closed", (accepted, resolved, closed)) if fate < 0.85 else \
                ("resolved", (accepted, resolved, None)) if fate < 0.95 else ("cancelled", (None, None, accepted))
            satisfied = rng.choice(["yes", "yes", "yes", "no"]) if status != "cancelled" and rng.random() < 0.2 else ""
            writer.writerow([f"H{n:08d}", kind, rng.choice(channels), code, rng.choice(districts), "", received,
                             agency, *(f"{t:%Y-%m-%d %H:%M:%S}" if t else "" for t in times),
                             f"{due:%Y-%m-%d %H:%M:%S}", status, satisfied])


def legacy_calls(path: Path, rows: int) -> None:
    from casehub.reports.importer import CALL_COLUMNS

    rng = random.Random(2020)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CALL_COLUMNS)
        for _ in range(rows):
            began = datetime(2020, 1, 1) + timedelta(seconds=rng.randrange(366 * 86400))
            outcome = rng.choices(["consultation", "case", "other"], [33.74, 37.22, 29.04])[0]
            ended = began + timedelta(seconds=rng.randrange(60, 600))
            writer.writerow([f"{began:%Y-%m-%d %H:%M:%S}", f"{ended:%Y-%m-%d %H:%M:%S}",
                             outcome, ("yes" if rng.random() < 0.9997 else "no") if outcome == "consultation" else "",
                             rng.choice(["yes", "no", "", "", ""])])


def time_imports(app, rows: int) -> None:
    """Import `rows` cases and `rows` calls, timed, then roll back: the benchmark database is left unchanged."""
    from casehub.extensions import db
    from casehub.models import utcnow
    from casehub.reports.importer import import_calls, import_cases

    with tempfile.TemporaryDirectory() as directory:
        cases, calls = Path(directory) / "cases.csv", Path(directory) / "calls.csv"
        legacy_cases(app, cases, rows)
        legacy_calls(calls, rows)
        with app.app_context():
            # Earlier runs rolled their imports back; their dead rows would slow this one down.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in ("cases", "case_events", "satisfaction_responses", "calls"):
                    connection.execute(sa.text(f"VACUUM {table}"))
            for name, path, run in (
                    ("cases", cases, lambda lines: import_cases(lines, source=cases.name, now=utcnow())),
                    ("calls", calls, lambda lines: import_calls(lines, now=utcnow()))):
                with path.open(encoding="utf-8", newline="") as lines:
                    result = run(lines)
                db.session.rollback()
                print(f"import of {result.imported:,} {name}: {result.seconds:.1f} s, "
                      f"{result.rows_per_second:,.0f} rows a second (rolled back)", flush=True)


def time_pages(env: dict, database_url: str, month: date, requests: int) -> None:
    engine = api_load.database_engine(database_url)
    with engine.connect() as connection:
        busiest = connection.execute(sa.text(
            "SELECT a.code FROM daily_group_stats s JOIN agencies a ON a.id::text = s.value "
            "WHERE s.dimension = 'agency_id' GROUP BY a.code ORDER BY sum(s.received) DESC LIMIT 1")).scalar_one()
    engine.dispose()
    # Already there from an earlier run is fine: the command then refuses the duplicate username.
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "casehub", "create-user", "--username",
                    "bench-supervisor", "--role", "agency_supervisor", "--agency", busiest, "--password",
                    "bench-password-1999"], cwd=api_load.ROOT, env=env, capture_output=True)
    tokens = {"manager": api_load.flask(env, "create-token", "manager"),
              "supervisor": api_load.flask(env, "create-token", "bench-supervisor")}
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    period = f"from={month}&to={last}"
    for who, path in (("manager", f"/reports/?{period}"), ("supervisor", f"/reports/?{period}"),
                      ("manager", f"/api/v1/reports/sla?{period}&group_by=agency"),
                      ("manager", f"/api/v1/reports/sla?{period}&group_by=district"),
                      ("manager", f"/reports/sla?{period}&group_by=agency"),
                      ("supervisor", f"/api/v1/reports/sla?{period}&group_by=category")):
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        latencies, errors = [], 0
        for _ in range(requests + 10):
            began = time.perf_counter()
            connection.request("GET", path, headers={"Authorization": f"Bearer {tokens[who]}"})
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - began)
            errors += response.status != 200
        api_load.report(f"GET {path} as {who} ({busiest if who == 'supervisor' else 'the city'})", latencies[10:],
                        errors=errors)  # the first requests warm the workers


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-10", help="the month the reports are for (YYYY-MM)")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse the roll-ups already there")
    parser.add_argument("--database-url", default=os.environ.get(
        "CASEHUB_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/casehub_bench_reports"))
    args = parser.parse_args(argv)
    month = datetime.strptime(args.month, "%Y-%m").date()
    app = in_process(args.database_url)
    if not args.skip_rebuild:
        rebuild_year(app, month)
    if args.rows:
        time_imports(app, args.rows)
    api_load.PORT = PORT  # its helpers serve and report on the module's port
    env = api_load.environment(args.database_url)
    server = api_load.start_server(env, threads=1)  # sync workers, one request at a time
    try:
        time_pages(env, args.database_url, month, args.requests)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
