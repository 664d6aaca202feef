"""/metrics: Prometheus text for the monitoring networks only, with the gauges of a seeded world."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from casehub import create_app
from casehub.extensions import db
from casehub.health.models import Beat
from casehub.models import utcnow
from casehub.notify.models import OutboxChannel, OutboxMessage, OutboxStatus
from config import TestConfig

LONG_AGO = datetime(2020, 1, 6, 9, 0, tzinfo=timezone.utc)  # due four hours later: overdue on any day we run
FAR_AHEAD = datetime(2100, 1, 4, 9, 0, tzinfo=timezone.utc)


def scrape(client, address: str = "127.0.0.1") -> dict:
    """{(family name, sample name, labels as a sorted tuple): value}."""
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain; version=")
    return {(family.name, sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def family(samples: dict, name: str) -> dict:
    return {labels: value for (family_name, _sample, labels), value in samples.items() if family_name == name}


@pytest.fixture
def seeded_world(app, redis_conn, make_agency, make_category, make_case, beat, make_message):
    """Two agencies: roads with one overdue and one open case, parks with one overdue; three outbox messages;
    three jobs waiting on `low`; a sweep 90 s ago."""
    roads, parks = make_agency(code="roads"), make_agency(code="parks")
    make_case(category=make_category(default_agency=roads), received_at=LONG_AGO)
    make_case(category=make_category(default_agency=roads)).due_at = FAR_AHEAD
    make_case(category=make_category(default_agency=parks), received_at=LONG_AGO)
    db.session.execute(sa.delete(OutboxMessage))  # the cases' own notices: this test counts its messages only
    make_message(minutes=12)
    make_message(minutes=1)
    make_message(channel=OutboxChannel.EMAIL, status=OutboxStatus.FAILED)
    db.session.commit()
    beat(Beat.SLA_SWEEP, 1.5)
    redis_conn.flushdb()  # the delivery jobs the commit enqueued
    for _ in range(3):
        app.extensions["queues"]["low"].enqueue(utcnow)


def test_the_gauges_describe_the_seeded_world(client, seeded_world):
    samples = scrape(client)
    assert family(samples, "casehub_cases_open") == {(("agency", "roads"),): 2, (("agency", "parks"),): 1}
    assert family(samples, "casehub_cases_overdue") == {(("agency", "roads"),): 1, (("agency", "parks"),): 1}
    outbox = family(samples, "casehub_outbox_messages")
    assert outbox[(("channel", "sms"), ("status", "pending"))] == 2
    assert outbox[(("channel", "email"), ("status", "failed"))] == 1
    assert outbox[(("channel", "in_app"), ("status", "pending"))] == 0
    assert len(outbox) == 6  # every channel and status, zeros included, so no series comes and goes
    assert family(samples, "casehub_rq_queue_depth") == {(("queue", "high"),): 0, (("queue", "default"),): 0,
                                                         (("queue", "low"),): 3}
    assert family(samples, "casehub_redis_up") == {(): 1}
    assert 85 <= family(samples, "casehub_sla_sweep_age_seconds")[()] <= 120
    assert 11 * 60 <= family(samples, "casehub_oldest_pending_message_age_seconds")[()] <= 13 * 60
    assert family(samples, "casehub_scheduler_heartbeat_age_seconds") == {}  # never beat: no sample


def test_request_latency_is_counted_by_endpoint_not_by_url(client):
    def count(samples, endpoint, method="GET"):
        return samples.get(("casehub_http_request_duration_seconds", "casehub_http_request_duration_seconds_count",
                            (("endpoint", endpoint), ("method", method))), 0)

    before = scrape(client)
    client.get("/healthz")
    client.get("/cases/A-1")  # redirected to sign in, counted under the endpoint
    client.get("/cases/B-2")
    client.get("/no/such/page")
    client.open("/healthz", method="BREW")
    after = scrape(client)
    assert count(after, "health.healthz") - count(before, "health.healthz") == 1
    assert count(after, "cases.show") - count(before, "cases.show") == 2
    assert count(after, "unmatched") - count(before, "unmatched") == 1
    assert count(after, "unmatched", "other") - count(before, "unmatched", "other") == 1
    assert not any("/cases/" in str(labels) for labels in after)


@pytest.mark.parametrize("address", ["203.0.113.9", "10.1.2.3", "::ffff:198.51.100.1", ""])
def test_addresses_outside_the_monitoring_networks_get_a_404(client, address):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 404


def test_the_monitoring_networks_are_a_setting(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_ALLOWED_NETWORKS", "10.0.0.0/8, 2001:db8::/32")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "2001:db8::5"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:10.9.9.9"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_a_mistyped_network_stops_start_up():
    class Mistyped(TestConfig):
        METRICS_ALLOWED_NETWORKS = "10.0.0.0/33"

    with pytest.raises(ValueError, match="CASEHUB_METRICS_ALLOWED_NETWORKS"):
        create_app(Mistyped)


def test_redis_down_is_a_gauge_not_an_error(app):
    class NoRedis(TestConfig):
        REDIS_URL = "redis://127.0.0.1:1/0"

    samples = scrape(create_app(NoRedis).test_client())
    assert family(samples, "casehub_redis_up") == {(): 0}
    assert family(samples, "casehub_rq_queue_depth") == {}


def test_embedded_mode_has_the_gauges_without_queues(embedded_app):
    samples = scrape(embedded_app.test_client())
    assert family(samples, "casehub_rq_queue_depth") == {} and family(samples, "casehub_redis_up") == {}
    assert family(samples, "casehub_outbox_messages")[(("channel", "sms"), ("status", "pending"))] == 0
    assert family(samples, "casehub_cases_open") == {}
