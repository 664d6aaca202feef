"""Fill a PostgreSQL database with five years of Kaohsiung's volume, for the benchmarks.

    python -m bench.generate [--years 5] [--database-url postgresql://postgres@127.0.0.1/casehub_bench]

About 316,000 cases a year (215,876 petitions and 99,781 dispatch cases in the annual report)
with their events, and 852,000 calls a year split as the report does (consultation / recorded
and forwarded / other). The dispatch mix and the time of day follow the real Taipei 1999 month
in bench/data (April 2026); districts are weighted by population. The database is dropped and
recreated, migrated and seeded first. Deterministic: the same seed gives the same data.
"""
import argparse
import csv
import os
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

CASES_PER_YEAR = 215_876 + 99_781
CALLS_PER_YEAR = 852_101
PETITION_SHARE = 215_876 / CASES_PER_YEAR
# Annual report: consultations 33.74%, recorded and forwarded 37.22%, other 32.73% (normalised here).
CALL_OUTCOMES = (("consultation", 33.74), ("case", 37.22), ("other", 32.73))
CHANNELS = (("phone", 55), ("mayor_mailbox", 20), ("counter", 8), ("written", 6), ("app", 4), ("fax", 3),
            ("open311", 3.5), ("sign_language_video", 0.5))
# Population in thousands (2024), rounded: the bigger districts report more.
DISTRICT_WEIGHTS = {
    "fongshan": 350, "sanmin": 330, "zuoying": 200, "nanzih": 190, "cianjhen": 180, "lingya": 165,
    "gushan": 140, "siaogang": 155, "daliao": 110, "renwu": 95, "gangshan": 95, "niaosong": 45, "linyuan": 70,
    "sinsing": 50, "cianjin": 26, "yancheng": 22, "cijin": 28, "dashu": 40, "dashe": 34, "ciaotou": 38,
    "lujhu": 50, "meinong": 38, "cishan": 35, "hunei": 30, "yanchao": 29, "jiading": 29,
    "alian": 27, "tianliao": 6, "yongan": 13, "mituo": 18, "zihguan": 36, "liouguei": 12, "jiasian": 6,
    "shanlin": 11, "neimen": 14, "maolin": 2, "taoyuan": 4, "namasia": 3,
}
DATA = Path(__file__).parent / "data" / "taipei1999_dispatch_2026-04.csv"
TZ = timezone(timedelta(hours=8))


def normalise(name: str) -> str:
    return name.replace("（", "(").replace("）", ")")


def taipei_mix() -> tuple[Counter, list[int]]:
    """Dispatch item counts and calls per hour of day in the real Taipei month."""
    items, hours = Counter(), [0] * 24
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            items[normalise(row["派工項目"])] += 1
            hours[int(row["立案時間"][:2])] += 1
    return items, hours


def prepare_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    from flask_migrate import upgrade

    from casehub import create_app
    from casehub.directory.seed import seed_demo_users, seed_reference_data
    from casehub.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        seed_reference_data()
        seed_demo_users()
        db.session.commit()


def generate(url: str, years: int, seed: int) -> None:
    import psycopg

    rng = random.Random(seed)
    items, hours = taipei_mix()
    pg_url = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(pg_url) as connection:
        cur = connection.cursor()
        cur.execute("SELECT id, code, name_zh, kind, default_agency_id, sla_policy_id FROM categories")
        categories = cur.fetchall()
        cur.execute("SELECT id, code FROM districts")
        districts = {code: id_ for id_, code in cur.fetchall()}
        cur.execute("SELECT id, clock, resolution_target FROM sla_policies")
        policies = {id_: (clock, target) for id_, clock, target in cur.fetchall()}
        cur.execute("SELECT id FROM users WHERE role = 'operator'")
        operator_id = cur.fetchone()[0]

        by_name = {normalise(name): (id_, code, kind, agency, policy)
                   for id_, code, name, kind, agency, policy in categories}
        dispatch = [(by_name[name], count) for name, count in items.items() if name in by_name]
        petitions = [((id_, code, kind, agency, policy), 1)
                     for id_, code, name, kind, agency, policy in categories if kind == "petition"]
        district_ids = [districts[code] for code in DISTRICT_WEIGHTS if code in districts]
        district_weights = [DISTRICT_WEIGHTS[code] for code in DISTRICT_WEIGHTS if code in districts]
        phones = [f"09{rng.randrange(10**8):08d}" for _ in range(400_000)]
        streets = ["九如一路", "中山二路", "民族一路", "建國三路", "博愛二路", "自由路", "中正四路", "四維三路",
                   "光遠路", "青年路", "五福一路", "成功二路", "河堤路", "大順二路", "澄清路", "文化路"]

        end = datetime(2026, 11, 26, tzinfo=TZ)
        start = end - timedelta(days=365 * years)
        total_days = (end - start).days
        n_cases = CASES_PER_YEAR * years
        n_calls = CALLS_PER_YEAR * years
        hour_weights = hours
        print(f"generating {n_cases:,} cases and {n_calls:,} calls over {total_days} days", flush=True)

        def moment(day_index: int) -> datetime:
            hour = rng.choices(range(24), hour_weights)[0]
            return start + timedelta(days=day_index, hours=hour, seconds=rng.randrange(3600))

        started = time.perf_counter()
        day_sequence: Counter = Counter()
        case_cols = ("id, number, kind, channel, status, category_id, description, address, district_id, "
                     "reporter_name, reporter_phone, reporter_anonymous, contact_preference, attributes, agency_id, "
                     "sla_policy_id, received_at, assigned_at, accepted_at, due_at, resolved_at, closed_at, reply, "
                     "reopened_count, escalation_level, created_by_id, created_at, updated_at, version, sla_started_at")
        event_cols = "case_id, at, actor_id, type, from_status, to_status, details"
        events = []
        case_days = sorted(rng.randrange(total_days) for _ in range(n_cases))
        with cur.copy(f"COPY cases ({case_cols}) FROM STDIN") as copy:
            for case_id, day_index in enumerate(case_days, start=1):
                is_petition = rng.random() < PETITION_SHARE
                (category_id, code, kind, agency_id, policy_id), _w = rng.choices(
                    petitions if is_petition else dispatch,
                    None if is_petition else [count for _c, count in dispatch])[0]
                received = moment(day_index)
                local_day = received.astimezone(TZ).date()
                day_sequence[local_day] += 1
                number = f"{local_day:%Y%m%d}-{day_sequence[local_day]:06d}"
                clock, target = policies[policy_id]
                due = received + (timedelta(hours=target) if clock == "hours" else timedelta(days=target * 7 / 5 + 1))
                age = end - received
                handling = timedelta(hours=rng.lognormvariate(1.2, 1.0)) if clock == "hours" else \
                    timedelta(days=rng.lognormvariate(1.4, 0.6))
                resolved = received + handling if received + handling < end else None
                closed = resolved + timedelta(days=3) if resolved and resolved + timedelta(days=3) < end else None
                status = "closed" if closed else "resolved" if resolved else (
                    "accepted" if age > timedelta(hours=2) else "assigned")
                accepted = received + min(handling / 4, timedelta(hours=1)) if status != "assigned" else None
                district_id = rng.choices(district_ids, district_weights)[0]
                anonymous = rng.random() < 0.08
                channel = "phone" if not is_petition and rng.random() < 0.8 else rng.choices(
                    [c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
                copy.write_row((
                    case_id, number, kind, channel, status, category_id, "案件描述（基準測試資料）",
                    f"高雄市{rng.choice(streets)}{rng.randrange(1, 400)}號", district_id,
                    None if anonymous else "王小明", None if anonymous else rng.choice(phones), anonymous,
                    "none" if anonymous else "phone", "{}", agency_id, policy_id, received, received, accepted, due,
                    resolved, closed, "已處理完畢" if resolved else None, 0, 0, operator_id, received,
                    closed or resolved or received, 1, received,
                ))
                events.append((case_id, received, operator_id, "received", None, "received", "{}"))
                events.append((case_id, received, None, "assigned", "received", "assigned", "{}"))
                if accepted:
                    events.append((case_id, accepted, None, "accepted", "assigned", "accepted", "{}"))
                if resolved:
                    events.append((case_id, resolved, None, "resolved", "accepted", "resolved", "{}"))
                if closed:
                    events.append((case_id, closed, None, "closed", "resolved", "closed", "{}"))
        print(f"cases written in {time.perf_counter() - started:.0f} s; {len(events):,} events", flush=True)
        with cur.copy(f"COPY case_events ({event_cols}) FROM STDIN") as copy:
            for row in events:
                copy.write_row(row)
        del events
        print(f"events written at {time.perf_counter() - started:.0f} s", flush=True)
        outcomes = [o for o, _ in CALL_OUTCOMES]
        outcome_weights = [w for _, w in CALL_OUTCOMES]
        with cur.copy("COPY calls (operator_id, caller_phone, started_at, ended_at, outcome, "
                      "answered_immediately, summary, created_at) FROM STDIN") as copy:
            for day_index in sorted(rng.randrange(total_days) for _ in range(n_calls)):
                began = moment(day_index)
                outcome = rng.choices(outcomes, outcome_weights)[0]
                copy.write_row((operator_id, rng.choice(phones), began,
                                began + timedelta(seconds=rng.randrange(60, 600)), outcome,
                                (rng.random() < 0.9997) if outcome == "consultation" else None, None, began))
        print(f"calls written at {time.perf_counter() - started:.0f} s", flush=True)
        for day, value in day_sequence.items():
            cur.execute("INSERT INTO case_number_counters (day, last_value) VALUES (%s, %s)", (day, value))
        cur.execute("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
        connection.commit()
        connection.autocommit = True
        cur.execute("VACUUM ANALYZE")
        print(f"done in {time.perf_counter() - started:.0f} s", flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--database-url", default=os.environ.get(
        "CASEHUB_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/casehub_bench"))
    args = parser.parse_args(argv)
    prepare_database(args.database_url)
    generate(args.database_url, args.years, args.seed)


if __name__ == "__main__":
    main(sys.argv[1:])
