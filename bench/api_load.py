"""Load the API and pages of a running CaseHub the way the call centre and agencies do.

    python -m bench.api_load intake   [--seconds 30] [--concurrency 8]
    python -m bench.api_load reads    [--requests 300]
    python -m bench.api_load ceiling  [--seconds 30] [--concurrency 8]

Starts gunicorn (2 workers, --threads to overlap database waits) on the benchmark database (fill it first with `python -m
bench.generate`), with Redis for the job queues, and drives it over loopback from this machine:
the load generator shares the CPU with the server, and the figures say so.
  intake: POST /api/v1/cases at the given concurrency; cases a second, p50/p95/p99 latency.
  reads:  the agency inbox's first page (API and HTML), the operator's caller-history and
          duplicate look-ups; p50/p95 latency, one request at a time.
  ceiling: the intake load against bench/ceiling_app.py (Flask, one INSERT and a commit a request):
          what this machine allows any Flask intake at all.
"""
import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PORT = 8899
CEILING_TABLE = "bench_ceiling"  # bench/ceiling_app.py's, created and dropped here
DISTRICTS = ["sanmin", "fongshan", "zuoying", "nanzih", "lingya", "gushan", "cianjhen", "siaogang"]
CATEGORIES = ["pothole", "street_light", "traffic_signal", "fallen_tree", "bulky_waste", "noise",
              "petition_transport", "petition_social"]


def environment(database_url: str) -> dict:
    return os.environ | {
        "DATABASE_URL": database_url, "REDIS_URL": os.environ.get("CASEHUB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"),
        "CASEHUB_ENV": "production", "SECRET_KEY": "bench-" + "k" * 40, "SESSION_COOKIE_SECURE": "true",
    }


def database_engine(database_url: str) -> sa.Engine:
    """An engine on a benchmark database named by a plain postgresql:// URL."""
    return sa.create_engine(sa.engine.make_url(database_url).set(drivername="postgresql+psycopg"))


def flask(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "casehub", *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True).stdout.strip()


def start_server(env: dict, threads: int, app: str = "wsgi:app") -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", str(threads),
                               "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning", app], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, latencies: list[float], seconds: float | None = None, errors: int = 0) -> None:
    ms = [value * 1000 for value in latencies]
    line = (f"{name}: n={len(ms)} p50={statistics.median(ms):.1f} ms p95={percentile(ms, 95):.1f} ms "
            f"p99={percentile(ms, 99):.1f} ms errors={errors}")
    if seconds:
        line += f" throughput={len(ms) / seconds:.0f}/s"
    print(line, flush=True)


def intake(token: str, seconds: float, concurrency: int) -> None:
    deadline = time.perf_counter() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine = []
        while time.perf_counter() < deadline:
            body = json.dumps({
                "channel": "phone", "category": rng.choice(CATEGORIES), "district": rng.choice(DISTRICTS),
                "description": "基準測試：路面有坑洞", "address": f"高雄市九如一路{rng.randrange(1, 500)}號",
                "reporter": {"name": "王小明", "phone": f"09{rng.randrange(10**8):08d}", "contact_preference": "phone"},
            })
            began = time.perf_counter()
            connection.request("POST", "/api/v1/cases", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            if response.status != 201:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report(f"POST /api/v1/cases at concurrency {concurrency}", latencies, time.perf_counter() - began, errors[0])


def reads(env: dict, database_url: str, requests: int) -> None:
    engine = database_engine(database_url)
    with engine.connect() as connection:
        busiest = connection.execute(sa.text(
            "SELECT a.code FROM cases c JOIN agencies a ON a.id = c.agency_id GROUP BY a.code "
            "ORDER BY count(*) DESC LIMIT 1")).scalar_one()
        phones = [row[0] for row in connection.execute(sa.text(
            "SELECT reporter_phone FROM cases WHERE reporter_phone IS NOT NULL ORDER BY id DESC LIMIT 200"))]
        places = connection.execute(sa.text(
            "SELECT c.address, g.code, d.code FROM cases c JOIN categories g ON g.id = c.category_id "
            "JOIN districts d ON d.id = c.district_id ORDER BY c.id DESC LIMIT 200")).all()
    engine.dispose()
    # Already there from an earlier run is fine: the command then refuses the duplicate username.
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "casehub", "create-user", "--username",
                    "bench-staff", "--role", "agency_staff", "--agency", busiest, "--password", "bench-password-1999"],
                   cwd=ROOT, env=env, capture_output=True)
    staff_token = flask(env, "create-token", "bench-staff")
    operator_token = flask(env, "create-token", "operator")
    print(f"agency with the most cases: {busiest}", flush=True)

    def measure(name: str, token: str, paths: list[str]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        latencies, errors = [], 0
        for path in paths:
            began = time.perf_counter()
            connection.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - began)
            errors += response.status != 200
        report(name, latencies[10:], errors=errors)  # the first requests warm the workers

    measure("GET /api/v1/cases (agency inbox, first page)", staff_token, ["/api/v1/cases?open_only=true"] * requests)
    measure("GET /cases/ (agency inbox page, HTML)", staff_token, ["/cases/"] * requests)
    measure("GET /intake/lookup (caller history)", operator_token,
            [f"/intake/lookup?phone={random.choice(phones)}" for _ in range(requests)])
    measure("GET /intake/lookup (duplicates at the address)", operator_token,
            [f"/intake/lookup?category={category}&district={district}&address={quote(address)}"
             for address, category, district in (random.choice(places) for _ in range(requests))])


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["intake", "reads", "ceiling"])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument("--database-url", default=os.environ.get(
        "CASEHUB_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/casehub_bench"))
    args = parser.parse_args(argv)
    env = environment(args.database_url)
    if args.mode == "ceiling":
        ceiling(env, args.database_url, args.seconds, args.concurrency)
        return
    server = start_server(env, args.threads)
    try:
        if args.mode == "intake":
            intake(flask(env, "create-token", "operator", "--name", "benchmark"), args.seconds, args.concurrency)
        else:
            reads(env, args.database_url, args.requests)
    finally:
        server.terminate()
        server.wait()


def ceiling(env: dict, database_url: str, seconds: float, concurrency: int) -> None:
    engine = database_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {CEILING_TABLE} (id serial PRIMARY KEY, body json)"))
    server = start_server(env, 1, app="bench.ceiling_app:app")
    try:
        intake("none", seconds, concurrency)
    finally:
        server.terminate()
        server.wait()
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE {CEILING_TABLE}"))
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
