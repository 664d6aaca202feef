import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from redis import Redis, RedisError

from casehub.cases.models import CaseStatus
from casehub.extensions import db
from casehub.notify.models import OutboxMessage
from config import TestConfig
from tests.notify.conftest import RecordingSmtpHandler, SmsGateway, SmsGatewayRequest, free_port
from tests.sla import taipei

ROOT = Path(__file__).resolve().parents[2]
NOW = taipei(2026, 11, 26, 15)
SINK_DELAY = 0.05  # seconds a sink takes per message
OUTAGE_APPLICATION = "casehub-outage"


def wait_for(condition, *, seconds: float = 120, what: str = "condition") -> None:
    """Poll until `condition()` holds: waiting for another process to get somewhere, not for the clock."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def start_worker():
    """Start `python -m workers.worker [args]` against the tests' database and Redis; killed at teardown."""
    started = []

    def _start(*args: str) -> subprocess.Popen:
        env = os.environ | {"DATABASE_URL": TestConfig.SQLALCHEMY_DATABASE_URI, "REDIS_URL": TestConfig.REDIS_URL,
                            "CASEHUB_ENV": "test", "SECRET_KEY": TestConfig.SECRET_KEY}
        # A session of its own, so teardown can kill the worker's whole group: RQ forks a scheduler process
        # and work-horses that would otherwise outlive a killed worker and act on the tests' Redis later.
        process = subprocess.Popen([sys.executable, "-m", "workers.worker", *args], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        started.append(process)
        return process

    yield _start
    for process in started:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


@pytest.fixture
def due_batch(sla_world):
    """Cases crossing their thresholds by NOW (Thu 2026-11-26 15:00), committed; returns the outbox keys expected."""
    agency, supervisor = f"agency{sla_world.agency.id}", f"user{sla_world.supervisor.id}"
    expected = set()
    for _ in range(10):
        # Hazard received at 10:00: due 14:00, overdue at 15:00. Owed: the first-response notice (10:30,
        # not accepted) and the supervisors' overdue notice; the 50% and 80% reminders are moot by now.
        case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10))
        expected |= {f"sla:{case.id}:first_response:due:v1:{agency}",
                     f"sla:{case.id}:resolution:overdue:v1:{supervisor}"}
        # Hazard received at 12:30: first response due 13:00, 50% at 14:30 (80% only at 15:42).
        case = sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 12, 30))
        expected |= {f"sla:{case.id}:first_response:due:v1:{agency}", f"sla:{case.id}:resolution:50pct:v1:{agency}"}
        # Petition received Mon 11-23 10:00: first response (480 office minutes) due Tue 11-24 08:30.
        case = sla_world.open(sla_world.petition, taipei(2026, 11, 23, 10))
        expected.add(f"sla:{case.id}:first_response:due:v1:{agency}")
    for _ in range(3):  # resolved: never reminded
        sla_world.open(sla_world.hazard, taipei(2026, 11, 26, 10)).status = CaseStatus.RESOLVED
    db.session.commit()
    return expected


def outbox_keys() -> list[str]:
    """The de-duplication keys of the SLA's outbox rows, as committed by whichever process wrote them."""
    db.session.rollback()  # see what the workers committed
    return db.session.scalars(sa.select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.like("sla:%"))).all()


class PrivateRedis:
    """A redis-server of the test's own on a free port, without persistence: stopped, it comes back empty."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        connection = Redis.from_url(self.url)
        wait_for(lambda: _answers(connection), seconds=10, what="redis-server to start")
        connection.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


def _answers(connection: Redis) -> bool:
    try:
        return connection.ping()
    except RedisError:
        return False


@pytest.fixture
def private_redis(tmp_path):
    """A started PrivateRedis; `stop()` and `start()` it again on the same port to make an outage."""
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


class SlowRecordingSmtp(RecordingSmtpHandler):
    """The notify tests' SMTP server, taking SINK_DELAY per message (a backlog lasts long enough to be cut
    into) and noting when each arrived."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SINK_DELAY)
        answer = await super().handle_DATA(server, session, envelope)
        self.received[-1]["at"] = time.monotonic()
        return answer


class SlowSmsGatewayRequest(SmsGatewayRequest):
    def do_POST(self):
        time.sleep(SINK_DELAY)
        super().do_POST()
        self.server.received[-1]["at"] = time.monotonic()


@pytest.fixture
def sinks():
    """A recording SMTP server and SMS gateway, both real servers on free ports; `.delivered()` lists every
    recipient that received something, once per delivery, and `.last_at()` when the last one arrived."""
    smtp = SlowRecordingSmtp()
    controller = Controller(smtp, hostname="127.0.0.1", port=smtp.port)
    controller.start()
    gateway = SmsGateway()
    gateway.RequestHandlerClass = SlowSmsGatewayRequest
    thread = threading.Thread(target=gateway.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        smtp=smtp, gateway=gateway,
        env={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
             "SMS_GATEWAY_URL": f"http://127.0.0.1:{gateway.server_port}/send"},
        delivered=lambda: [mail["to"][0] for mail in smtp.received] + [sms["to"] for sms in gateway.received],
        last_at=lambda: max(entry["at"] for entry in [*smtp.received, *gateway.received]),
    )
    controller.stop()
    gateway.shutdown()
    gateway.server_close()


@pytest.fixture
def start_process(tmp_path):
    """Start `python -m workers.<name>` against the tests' database, a given Redis and the sinks; killed at teardown.

    Its database connections carry the application name `casehub-outage`, so a test can terminate them.
    Its log goes to a file (`.log_text()`), which a pipe nobody reads could not take for long.
    """
    started = []

    def _start(name: str, redis_url: str, extra_env: dict) -> subprocess.Popen:
        database_url = sa.engine.make_url(TestConfig.SQLALCHEMY_DATABASE_URI).update_query_dict(
            {"application_name": OUTAGE_APPLICATION}).render_as_string(hide_password=False)
        env = os.environ | extra_env | {"DATABASE_URL": database_url, "REDIS_URL": redis_url,
                                        "CASEHUB_ENV": "test", "SECRET_KEY": TestConfig.SECRET_KEY}
        log_path = tmp_path / f"{name}.log"
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen([sys.executable, "-m", f"workers.{name}"], cwd=ROOT, env=env,
                                       stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        process.log_text = lambda: log_path.read_text(errors="replace")
        started.append(process)
        return process

    yield _start
    for process in started:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
