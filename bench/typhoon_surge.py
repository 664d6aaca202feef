"""A typhoon surge: 10,000 hazard cases filed in a burst; two RQ workers deliver the agencies' notices.

    python -m bench.typhoon_surge [--cases 10000] [--minutes 0] [--wait-minutes 10]
                                  [--database-url postgresql://postgres@127.0.0.1/casehub_bench_surge]
                                  [--redis-url redis://127.0.0.1:6379/7]

Target (issue 4): every agency notification of a new hazard case delivered within 5 minutes of its
case. The database is dropped, recreated, migrated and seeded (as `bench.generate` does); the
agencies that receive hazards get an SMS number, as an administrator gives it on the agency page.
The Redis database is flushed. Everything runs on this machine, over loopback:

- a recording SMTP server (aiosmtpd) and a recording HTTP SMS gateway, in a child process, note
  the arrival time of every message;
- two RQ workers `python -m workers.worker high default` and the scheduler of `workers.scheduler`
  (its outbox sweep every 30 s, the SLA sweep every minute), as in production;
- this process files the cases through the intake service (`casehub.intake.services.intake_case`,
  in-process, one commit per case, so outbox rows and their delivery jobs are written exactly as
  for a call taken at the console), hazard categories only, spread over the 38 districts, each
  reporter a mobile number (so the citizen's SMS is in the workers' load too). `--minutes N`
  paces the filing at `--cases` per N minutes; 0 (the default) files as fast as it can.

Delay of an agency notice (e-mail and SMS of `agency_new_case`) = its arrival at the sink minus
the case's `created_at`. Exit status: 1 when an agency notice is still undelivered `--wait-minutes`
after the last case was filed, 2 when all arrived but not all within 5 minutes, 0 otherwise.
Every process started here is stopped on the way out.
"""
import argparse
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sqlalchemy as sa

from bench.api_load import percentile
from bench.generate import prepare_database

ROOT = Path(__file__).resolve().parent.parent
TARGET = timedelta(minutes=5)
AGENCY_TEMPLATE = "agency_new_case"
WORKERS = 2
STARTUP_SECONDS = 60
STOP_SECONDS = 15
PROGRESS_SECONDS = 30
SINKS_LIFETIME_SECONDS = 6 * 3600  # a safety net: the benchmark stops the sinks itself
OUTBOX_ID = re.compile(rb"Message-ID: <[^>]*\.outbox(\d+)@", re.IGNORECASE)
CASE_NUMBER = re.compile(r"\d{8}-\d{6}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine() -> str:
    """CPUs this process may use and the load average: the workers share them with the filer and the databases."""
    one, five, fifteen = os.getloadavg()
    return f"nproc={len(os.sched_getaffinity(0))} load average {one:.2f} {five:.2f} {fifteen:.2f}"


class ArrivalLog:
    """One JSON line per message received, with its arrival time, written as it arrives."""

    def __init__(self, path: str):
        self.handle = open(path, "a", encoding="utf-8")
        self.lock = threading.Lock()

    def write(self, **record) -> None:
        record["at"] = time.time()
        with self.lock:
            self.handle.write(json.dumps(record) + "\n")
            self.handle.flush()


class SmtpSink:
    """Accepts every message and notes the outbox id CaseHub put in its Message-ID."""

    def __init__(self, log: ArrivalLog):
        self.log = log

    async def handle_DATA(self, server, session, envelope):
        found = OUTBOX_ID.search(envelope.original_content or envelope.content)
        self.log.write(channel="email", outbox_id=int(found.group(1)) if found else None, to=envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class SmsSinkRequest(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.log.write(channel="sms", to=body["to"], text=body["text"])
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": 202}')

    def log_message(self, *args):
        pass


def run_sinks(smtp_port: int, sms_port: int, path: str, ready, stop) -> None:
    """The child process: the SMTP server and the SMS gateway, until `stop` is set."""
    from aiosmtpd.controller import Controller

    log = ArrivalLog(path)
    smtp = Controller(SmtpSink(log), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    sms = ThreadingHTTPServer(("127.0.0.1", sms_port), SmsSinkRequest)
    sms.log = log
    threading.Thread(target=sms.serve_forever, daemon=True).start()
    ready.set()
    stop.wait(timeout=SINKS_LIFETIME_SECONDS)
    sms.shutdown()
    smtp.stop()
    log.handle.close()


def start_process(name: str, argv: list[str], env: dict, log_dir: Path) -> subprocess.Popen:
    """Start `python ARGV...` in its own process group, its output in `log_dir`."""
    with (log_dir / f"{name}.log").open("w") as output:
        return subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM to the process and its children (an RQ worker's work-horse), SIGKILL if still there after a while."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


def wait_for(what: str, ready, seconds: float, processes: list[subprocess.Popen]) -> None:
    """Poll `ready()` twice a second until it is true; give up after `seconds` or when a process died."""
    deadline = time.monotonic() + seconds
    while not ready():
        if any(process.poll() is not None for process in processes):
            raise SystemExit(f"a process exited while waiting for {what}; see its log")
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what} after {seconds:.0f} s")
        time.sleep(0.5)


def prepare_hazards():
    """The hazard categories (hour clock), the districts and the operator; the hazard agencies get an SMS number."""
    from casehub.auth.models import User
    from casehub.directory.models import Category, District
    from casehub.extensions import db
    from casehub.sla.models import SlaPolicy, SlaClock

    categories = db.session.scalars(
        sa.select(Category).join(SlaPolicy, Category.sla_policy_id == SlaPolicy.id)
        .where(SlaPolicy.clock == SlaClock.HOURS, Category.active).order_by(Category.code)).all()
    for agency in {category.default_agency for category in categories}:
        agency.sms_number = f"0912{agency.id:06d}"
    districts = db.session.scalars(sa.select(District).order_by(District.sort_order)).all()
    operator = db.session.scalar(sa.select(User).where(User.username == "operator"))
    db.session.commit()
    return categories, districts, operator


def agency_notices():
    """The outbox rows this benchmark measures: the agencies' e-mail and SMS about a new case."""
    from casehub.notify.models import OutboxChannel, OutboxMessage

    return (OutboxMessage.template == AGENCY_TEMPLATE,
            OutboxMessage.channel.in_([OutboxChannel.EMAIL, OutboxChannel.SMS]))


def outbox_status() -> str:
    """One progress line: agency notices by status, the other messages, the queues."""
    from flask import current_app

    from casehub.extensions import db
    from casehub.notify.models import OutboxMessage

    def by_status(*where) -> dict:
        return {status.value: n for status, n in db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).where(*where).group_by(OutboxMessage.status))}

    agency, others = by_status(*agency_notices()), by_status(~sa.and_(*agency_notices()))
    db.session.rollback()
    queues = current_app.extensions["queues"]
    return (f"agency notices {agency}; other messages {others}; "
            f"queued high={queues['high'].count} default={queues['default'].count}; {machine()}")


def file_cases(count: int, minutes: float, seed: int) -> tuple[float, float]:
    """File `count` hazard cases through intake, one commit each; returns the start and end (epoch seconds)."""
    from casehub.extensions import db
    from casehub.intake.services import intake_case
    from casehub.models import utcnow

    categories, districts, operator = prepare_hazards()
    rng = random.Random(seed)
    interval = minutes * 60 / count
    started = time.time()
    next_report = started + PROGRESS_SECONDS
    for n in range(count):
        if interval:
            time.sleep(max(0.0, started + n * interval - time.time()))
        category, district = rng.choice(categories), rng.choice(districts)
        data = {"channel": "phone", "category": category.code, "district": district.code,
                "description": f"颱風過境：{category.name_zh}（基準測試第 {n + 1} 件）",
                "address": f"高雄市{district.name_zh}中山路{rng.randrange(1, 800)}號",
                "reporter": {"name": "王小明", "phone": f"09{rng.randrange(10**8):08d}", "contact_preference": "phone"}}
        intake_case(data, operator=operator, now=utcnow())
        db.session.commit()
        if time.time() >= next_report:
            print(f"  filed {n + 1:,} in {time.time() - started:.0f} s; {outbox_status()}", flush=True)
            next_report = time.time() + PROGRESS_SECONDS
    return started, time.time()


def wait_for_delivery(deadline: float, processes: list[subprocess.Popen], *where) -> bool:
    """Wait until no outbox row matching `where` is pending or held, or the deadline; True when none is left."""
    from casehub.extensions import db
    from casehub.notify.models import OutboxMessage, OutboxStatus

    next_report = time.time() + PROGRESS_SECONDS
    while time.time() < deadline:
        waiting = db.session.scalar(sa.select(sa.func.count()).where(
            *where, OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.HELD])))
        db.session.rollback()
        if not waiting:
            return True
        if any(process.poll() is not None for process in processes):
            print("a CaseHub process exited; see its log", flush=True)
            return False
        if time.time() >= next_report:
            print(f"  waiting: {outbox_status()}", flush=True)
            next_report = time.time() + PROGRESS_SECONDS
        time.sleep(1)
    return False


def read_arrivals(path: Path) -> tuple[dict, dict]:
    """Arrival times at the sinks: e-mail by outbox id, SMS by (number, case number); each a list (twice = a bug)."""
    emails, texts = {}, {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["channel"] == "email":
            emails.setdefault(record["outbox_id"], []).append(record["at"])
        else:
            found = CASE_NUMBER.search(record["text"])
            texts.setdefault((record["to"], found.group(0) if found else None), []).append(record["at"])
    return emails, texts


def seconds(values: list[float]) -> str:
    return (f"p50 {statistics.median(values):.1f} s, p95 {percentile(values, 95):.1f} s, "
            f"p99 {percentile(values, 99):.1f} s, worst {max(values):.1f} s")


def report(arrivals_path: Path, filing_started: float, filing_ended: float, cases: int) -> int:
    """Print the figures; returns the exit status."""
    from casehub.cases.models import Case
    from casehub.extensions import db
    from casehub.notify.models import DeliveryAttempt, OutboxChannel, OutboxMessage, OutboxStatus

    rows = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.status,
                  OutboxMessage.sent_at, OutboxMessage.attempts, Case.number, Case.created_at)
        .join(Case, OutboxMessage.case_id == Case.id).where(*agency_notices())).all()
    failed_tries = db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryAttempt)
                                     .where(DeliveryAttempt.succeeded.is_(False)))
    db.session.rollback()
    emails, texts = read_arrivals(arrivals_path)
    delays, waits, sends, undelivered, twice, last_arrival = [], [], [], [], 0, 0.0
    for row in rows:
        arrived = emails.get(row.id) if row.channel is OutboxChannel.EMAIL else texts.get((row.recipient, row.number))
        if not arrived:
            undelivered.append(row)
            continue
        twice += len(arrived) > 1
        created = row.created_at.timestamp()
        delays.append(arrived[0] - created)
        last_arrival = max(last_arrival, arrived[0])
        if row.sent_at is not None:  # the moment a worker took it: before that it queued, after it was sent
            waits.append(row.sent_at.timestamp() - created)
            sends.append(arrived[0] - row.sent_at.timestamp())
    print(f"filed {cases:,} hazard cases in {filing_ended - filing_started:.1f} s "
          f"({cases / (filing_ended - filing_started):.1f} cases/s)")
    channels = Counter(row.channel.value for row in rows)
    print(f"agency notices delivered: {len(delays):,} / {len(rows):,} expected ({channels['email']:,} e-mail, "
          f"{channels['sms']:,} SMS); received twice: {twice}; failed tries (all messages): {failed_tries}; "
          f"retried agency notices: {sum(row.attempts > 1 for row in rows)}")
    if len(rows) != 2 * cases:
        print(f"WARNING: expected an e-mail and an SMS per case ({2 * cases:,}), found {len(rows):,} rows")
    if undelivered:
        statuses = Counter(row.status.value for row in undelivered)
        print(f"UNDELIVERED: {len(undelivered):,} agency notices, by status {dict(statuses)}")
    if not delays:
        return 1
    within = sum(delay <= TARGET.total_seconds() for delay in delays)
    print(f"delay from case to arrival: {seconds(delays)}; within 5 minutes: {within:,} / {len(rows):,}")
    if waits:
        print(f"  of which queued until a worker took it: {seconds(waits)}")
        print(f"  and sending (worker took it -> arrival): {seconds(sends)}")
    print(f"last notice arrived {last_arrival - filing_started:.1f} s after the first case was filed, "
          f"{last_arrival - filing_ended:.1f} s after the last one")
    others = db.session.execute(
        sa.select(OutboxMessage.template, OutboxMessage.channel, OutboxMessage.status, sa.func.count())
        .where(~sa.and_(*agency_notices())).group_by(OutboxMessage.template, OutboxMessage.channel,
                                                     OutboxMessage.status).order_by(OutboxMessage.template)).all()
    db.session.rollback()
    print("other messages at the end: " + ", ".join(
        f"{template} {channel.value} {status.value} {n:,}" for template, channel, status, n in others))
    limited = sum(row.status in (OutboxStatus.HELD, OutboxStatus.DIGESTED) for row in rows)
    print(f"agency notices held or digested by the hourly limit: {limited}")
    if undelivered:
        return 1
    print("TARGET MET: every agency notice within 5 minutes" if within == len(rows)
          else f"TARGET MISSED: {len(rows) - within:,} agency notices took longer than 5 minutes")
    return 0 if within == len(rows) else 2


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=0, help="file the cases over this many minutes; 0: at once")
    parser.add_argument("--wait-minutes", type=float, default=10, help="after the last case, wait this long at most")
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/casehub_bench_surge")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    args = parser.parse_args(argv)
    print(f"start: {machine()}", flush=True)

    # Drop, create, migrate and seed in a child: the settings are read once, and this process needs them with Redis.
    spawn = multiprocessing.get_context("spawn")
    preparation = spawn.Process(target=prepare_database, args=(args.database_url,))
    preparation.start()
    preparation.join()
    if preparation.exitcode != 0:
        raise SystemExit(f"preparing {args.database_url} failed")
    log_dir = Path(tempfile.mkdtemp(prefix="typhoon-surge-"))
    arrivals_path = log_dir / "arrivals.jsonl"
    smtp_port, sms_port = free_port(), free_port()
    env = os.environ | {
        "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
        "CASEHUB_ENV": "production", "SECRET_KEY": "bench-" + "k" * 40, "SESSION_COOKIE_SECURE": "true",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}/send", "SMS_GATEWAY_TOKEN": "bench",
    }
    os.environ.update(env)  # the filer builds the same app as the workers: after commit, jobs go to Redis
    from casehub import create_app

    app = create_app()
    ready, stop = spawn.Event(), spawn.Event()
    sinks = spawn.Process(target=run_sinks, args=(smtp_port, sms_port, str(arrivals_path), ready, stop))
    processes: list[subprocess.Popen] = []
    status = 1
    try:
        sinks.start()
        if not ready.wait(timeout=STARTUP_SECONDS):
            raise SystemExit("the SMTP and SMS sinks did not start")
        with app.app_context():
            from casehub.extensions import db
            from casehub.health import HEARTBEAT_KEY
            from rq import Worker

            redis = app.extensions["redis"]
            redis.flushdb()
            for n in range(WORKERS):
                processes.append(start_process(f"worker{n + 1}", ["-m", "workers.worker", "high", "default"], env,
                                               log_dir))
            processes.append(start_process("scheduler", ["-m", "workers.scheduler"], env, log_dir))
            wait_for(f"{WORKERS} RQ workers", lambda: Worker.count(connection=redis) >= WORKERS, STARTUP_SECONDS,
                     processes)
            wait_for("the scheduler's heartbeat", lambda: redis.exists(HEARTBEAT_KEY), STARTUP_SECONDS, processes)
            print(f"sinks on 127.0.0.1:{smtp_port} (SMTP) and :{sms_port} (SMS); {WORKERS} workers and the "
                  f"scheduler running; logs in {log_dir}", flush=True)
            pace = f"over {args.minutes:g} minutes" if args.minutes else "as fast as one filer can"
            print(f"filing {args.cases:,} hazard cases {pace} through casehub.intake.services.intake_case",
                  flush=True)
            filing_started, filing_ended = file_cases(args.cases, args.minutes, args.seed)
            print(f"filed in {filing_ended - filing_started:.1f} s; {outbox_status()}", flush=True)
            if not wait_for_delivery(filing_ended + args.wait_minutes * 60, processes, *agency_notices()):
                print(f"not every agency notice left the outbox within {args.wait_minutes:g} minutes "
                      "of the last case", flush=True)
            time.sleep(2)  # the last arrivals' lines, written just before their status was committed
            status = report(arrivals_path, filing_started, filing_ended, args.cases)
            # The citizens' receipts and the in-app notices wait on "default" while hazards fill "high".
            if wait_for_delivery(filing_ended + args.wait_minutes * 60, processes):
                print(f"every other message delivered {time.time() - filing_ended:.0f} s after the last case",
                      flush=True)
            else:
                print(f"other messages still waiting {args.wait_minutes:g} minutes after the last case: "
                      f"{outbox_status()}", flush=True)
            db.engine.dispose()
    finally:
        for process in processes:
            stop_process(process)
        stop.set()
        sinks.join(timeout=STOP_SECONDS)
        if sinks.is_alive():
            sinks.terminate()
            sinks.join(timeout=STOP_SECONDS)
        print(f"end: {machine()}", flush=True)
    sys.exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
