"""Real delivery endpoints for the notification tests: an SMTP server (aiosmtpd) and an HTTP SMS gateway.

Both run in this process on free local ports and record what they receive; the app is pointed at
them for the test. Neither is a mock: CaseHub talks SMTP and HTTP to them as to a city's servers.
"""
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue

from casehub.jobs import QUEUE_NAMES

REFUSED_DOMAIN = "@invalid.test"
REFUSED_NUMBER = "0900000000"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingSmtpHandler:
    """Accepts every message except to REFUSED_DOMAIN, which it refuses as a real server refuses a bad mailbox."""

    def __init__(self):
        self.received = []
        self.port = free_port()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith(REFUSED_DOMAIN):
            return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append({"to": list(envelope.rcpt_tos), "subject": str(message["Subject"]),
                              "body": message.get_body().get_content(), "message": message})
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    """A local SMTP server the app sends its e-mail to; `.received` lists what arrived."""
    handler = RecordingSmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield handler
    app.config.update(saved)
    controller.stop()


class SmsGateway(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmsGatewayRequest)
        self.received = []
        self.unavailable = False  # answer 503 to everything, as a gateway under maintenance


class SmsGatewayRequest(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.unavailable:
            status = 503
        else:
            status = 400 if body["to"] == REFUSED_NUMBER else 202
        answer = {"status": status}
        if status == 202:
            self.server.received.append({**body, "authorization": self.headers.get("Authorization"),
                                         "idempotency_key": self.headers.get("Idempotency-Key")})
            answer["id"] = f"gw-{len(self.server.received)}"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway(app):
    """A local HTTP SMS gateway the app posts its texts to; `.received` lists what it accepted."""
    gateway = SmsGateway()
    thread = threading.Thread(target=gateway.serve_forever, daemon=True)
    thread.start()
    saved = {key: app.config[key] for key in ("SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN")}
    app.config.update(SMS_GATEWAY_URL=f"http://127.0.0.1:{gateway.server_port}/send", SMS_GATEWAY_TOKEN="s3cret")
    yield gateway
    app.config.update(saved)
    gateway.shutdown()
    gateway.server_close()


@pytest.fixture
def redis_down(app):
    """Point the app's queues at a Redis that does not answer; `back()` restores the real one."""
    real = dict(app.extensions["queues"])
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    app.extensions["queues"] = {name: Queue(name, connection=dead) for name in QUEUE_NAMES}

    def back() -> None:
        app.extensions["queues"] = real

    yield back
    back()


@pytest.fixture
def notify_world(make_agency, make_category, make_policy, make_user):
    """An agency with a mailbox and an SMS number, its staff and supervisor, a hazard and a petition category."""
    from types import SimpleNamespace

    from casehub.auth.models import Role
    from casehub.directory.models import CaseKind
    from casehub.sla.models import SlaClock

    agency = make_agency(email="roads@example.test", sms_number="0911222333")
    return SimpleNamespace(
        agency=agency,
        staff=make_user(Role.AGENCY_STAFF, agency=agency),
        supervisor=make_user(Role.AGENCY_SUPERVISOR, agency=agency, locale="en"),
        operator=make_user(Role.OPERATOR),
        hazard=make_category(default_agency=agency, kind=CaseKind.DISPATCH, name_zh="路面坑洞", name_en="Pothole"),
        petition=make_category(default_agency=agency, kind=CaseKind.PETITION, name_zh="噪音", name_en="Noise",
                               sla_policy=make_policy(clock=SlaClock.WORKING_DAYS, resolution_target=6,
                                                      first_response_minutes=480, reminder_thresholds=[1],
                                                      escalation_cycle=1)),
    )


EMAIL_REPORTER = {"name": "王小明", "email": "citizen@example.test", "contact_preference": "email"}
