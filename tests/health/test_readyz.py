"""/readyz: the database, Redis and a scheduler heartbeat decide; late sweeps and messages are reported."""
import os

from casehub import create_app
from casehub.extensions import db
from casehub.health.heartbeats import record_beat
from casehub.health.models import Beat
from casehub.models import utcnow
from config import TestConfig


def test_ready_with_database_redis_and_a_recent_heartbeat(client, beat):
    beat(Beat.SCHEDULER, 0.5)
    beat(Beat.SLA_SWEEP, 1)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"] == {"database": "ok", "redis": "ok", "scheduler": "ok"}
    ages = response.json["ages_seconds"]
    assert 25 <= ages["scheduler_heartbeat"] <= 40 and 55 <= ages["sla_sweep"] <= 70
    assert ages["oldest_pending_message"] is None
    assert response.json["scheduler"].endswith(f":{os.getpid()}")
    assert "warnings" not in response.json


def test_not_ready_before_any_scheduler_has_beaten(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["scheduler"] == "no heartbeat"
    assert response.json["reasons"] == ["scheduler: no heartbeat for 2 minutes"]


def test_not_ready_when_the_heartbeat_is_stale(client, beat):
    beat(Beat.SCHEDULER, 3)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["scheduler"] == "stale"


def test_a_late_sweep_and_an_old_message_are_warnings_not_unreadiness(client, beat, make_message):
    beat(Beat.SCHEDULER, 0)
    beat(Beat.SLA_SWEEP, 20)
    make_message(minutes=15)
    make_message(minutes=1)
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["warnings"] == ["SLA sweep late: none finished for 5 minutes",
                                         "messages late: one pending for over 10 minutes"]
    assert 14 * 60 <= response.json["ages_seconds"]["oldest_pending_message"] <= 16 * 60


def test_not_ready_with_the_reason_when_redis_is_down(app, beat):
    beat(Beat.SCHEDULER, 0)

    class NoRedis(TestConfig):
        REDIS_URL = "redis://127.0.0.1:1/0"

    response = create_app(NoRedis).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "error"
    assert response.json["reasons"] == ["redis unreachable: ConnectionError"]


def test_not_ready_with_the_reason_when_the_database_is_down(app):
    class NoDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:1/casehub"

    response = create_app(NoDatabase).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "error"
    assert response.json["reasons"] == ["database unreachable: OperationalError"]


def test_embedded_mode_is_ready_with_its_in_process_scheduler(embedded_app):
    record_beat(Beat.SCHEDULER, utcnow())
    response = embedded_app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "not configured (embedded mode)", "scheduler": "ok"}
