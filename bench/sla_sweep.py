"""How long one SLA sweep takes: 100,000 open cases with none due, then 1,000 due at once.

    python -m bench.sla_sweep [--open 100000] [--due 1000]
                              [--database-url postgresql://postgres@127.0.0.1/casehub_bench_sla]

The database is dropped, recreated, migrated and seeded (as `bench.generate` does), then given two
supervisors per agency and five managers. Open cases are inserted in bulk with their next action
in the future. The sweep runs in this process against PostgreSQL, with "now" fixed at
Thu 2026-11-26 18:00 (Taipei), as the scheduler's job would run it. Targets: under 100 ms with
none due; all notifications of 1,000 due cases written in under 5 seconds.
"""
import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.generate import prepare_database

TAIPEI = ZoneInfo("Asia/Taipei")
NOW = datetime(2026, 11, 26, 18, tzinfo=TAIPEI)
HAZARD_RECEIVED = datetime(2026, 11, 26, 13, tzinfo=TAIPEI)  # due 17:00: overdue at 18:00
PETITION_RECEIVED = datetime(2026, 11, 19, 10, tzinfo=TAIPEI)  # due Fri 11-27 17:30: reminder Thu 17:30


def seed_people() -> None:
    """Two supervisors per agency and five managers: the recipients of escalations."""
    from casehub.auth.models import Role, User
    from casehub.directory.models import Agency
    from casehub.extensions import db

    rows = [{"username": f"sup-{agency.code}-{n}", "display_name": "主管", "email": f"sup{n}-{agency.code}@bench.test",
             "password_hash": "x", "role": Role.AGENCY_SUPERVISOR, "agency_id": agency.id}
            for agency in db.session.scalars(sa.select(Agency)) for n in (1, 2)]
    rows += [{"username": f"manager-{n}", "display_name": "研考", "email": f"rdec{n}@bench.test", "password_hash": "x",
              "role": Role.MANAGER} for n in range(5)]
    db.session.execute(sa.insert(User), rows)


def insert_cases(count: int, due: int) -> None:
    """`count` open cases; the first `due` of them have reached a reminder or their deadline at NOW."""
    from casehub.cases.models import Case
    from casehub.directory.models import Category
    from casehub.extensions import db
    from casehub.sla.calendar import BusinessCalendar
    from casehub.sla.services import compute_deadline

    calendar = BusinessCalendar.load()
    categories = db.session.scalars(sa.select(Category)).all()
    hazard = next(category for category in categories if category.code == "pothole")
    petition = next(category for category in categories if category.code == "petition_transport")
    waiting_since = NOW - timedelta(hours=1)  # the cases not due: received an hour ago, next action later
    plans = {category.id: (waiting_since, compute_deadline(category.sla_policy, waiting_since, calendar=calendar))
             for category in categories}
    plans[hazard.id, "due"] = (HAZARD_RECEIVED, compute_deadline(hazard.sla_policy, HAZARD_RECEIVED,
                                                                 calendar=calendar))
    plans[petition.id, "due"] = (PETITION_RECEIVED, compute_deadline(petition.sla_policy, PETITION_RECEIVED,
                                                                     calendar=calendar))
    random.seed(1999)
    rows = []
    for n in range(count):
        if n < due:
            # Hazards: not accepted, next step the first-response notice; petitions: accepted, next the reminder.
            category = hazard if n % 2 == 0 else petition
            received, plan = plans[category.id, "due"]
            status = "assigned" if category is hazard else "accepted"
            next_action = plan.first_response_due_at if category is hazard else \
                datetime(2026, 11, 26, 17, 30, tzinfo=TAIPEI)
        else:
            category = random.choice(categories)
            received, plan = plans[category.id]
            status = "assigned"
            next_action = NOW + timedelta(minutes=random.randint(1, 60 * 24 * 5))
        rows.append({
            "number": f"20261126-{n:06d}", "kind": category.kind, "channel": "phone", "status": status,
            "category_id": category.id, "description": "bench", "received_at": received, "attributes": {},
            "agency_id": category.default_agency_id, "sla_policy_id": category.sla_policy_id,
            "sla_started_at": received, "due_at": plan.due_at, "first_response_due_at": plan.first_response_due_at,
            "due_explanation": plan.explanation, "next_action_at": next_action, "deadline_version": 1,
            "created_at": received, "updated_at": received,
        })
        if len(rows) == 5000:
            db.session.execute(sa.insert(Case), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Case), rows)


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/casehub_bench_sla")
    args = parser.parse_args(argv)

    prepare_database(args.database_url)  # also points DATABASE_URL at it, with no Redis: jobs would run in-process
    from casehub import create_app

    app = create_app()
    with app.app_context():
        from casehub.extensions import db
        from casehub.notify.models import OutboxMessage
        from casehub.sla.jobs import sweep_until_done
        from casehub.sla.reminders import run_sla_sweep

        seed_people()
        started = time.perf_counter()
        insert_cases(args.open, 0)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE cases"))
        print(f"{args.open:,} open cases inserted in {time.perf_counter() - started:.1f} s")

        def one_sweep():
            run_sla_sweep(NOW.astimezone(ZoneInfo("UTC")))
            db.session.commit()

        one_sweep()  # warm the connection pool and the statement cache, as a running worker has them
        idle = [timed(one_sweep) * 1000 for _ in range(50)]
        plan = db.session.execute(sa.text(
            "EXPLAIN SELECT id FROM cases WHERE next_action_at <= :now ORDER BY next_action_at LIMIT 1000 "
            "FOR UPDATE SKIP LOCKED"), {"now": NOW}).scalars().all()
        db.session.commit()
        print(f"sweep, {args.open:,} open and none due: median {statistics.median(idle):.2f} ms, "
              f"max {max(idle):.2f} ms over {len(idle)} runs")
        print("  plan: " + " / ".join(line.strip() for line in plan))

        # Make the first `due` cases due: insert the cases again, those with their thresholds crossed.
        db.session.execute(sa.text("TRUNCATE cases CASCADE"))
        insert_cases(args.open, args.due)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE cases"))
        result = {}
        elapsed = timed(lambda: result.update(done=sweep_until_done(NOW)))
        written = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
        print(f"sweep, {args.due:,} due among {args.open:,} open: {result['done'].cases:,} cases, "
              f"{written:,} notifications written and committed in {elapsed:.2f} s")
        again = timed(lambda: result.update(again=sweep_until_done(NOW)))
        print(f"the same sweep again: {result['again'].messages} notifications in {again * 1000:.1f} ms")
        db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
