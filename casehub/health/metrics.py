"""Prometheus metrics: request latency by endpoint, and gauges read at scrape time.

The latency histogram is kept by each web process; under gunicorn with several workers set
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode) so that one scrape adds up all of them.
The gauges are computed when scraped, by one query or Redis round trip each, so they are the same
whichever process answers.
"""
import ipaddress
import logging
import os
import time
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from flask import Flask, current_app, g, request, request_finished, request_started
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from redis import RedisError

from casehub.cases.models import OPEN_CASES, Case
from casehub.directory.models import Agency
from casehub.extensions import db
from casehub.health.status import read_operations_status
from casehub.jobs import QUEUE_NAMES
from casehub.notify.models import OutboxChannel, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# Labels are the Flask endpoint, not the URL, and known methods only: a scanner's URLs and verbs must not
# each make a new time series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Not registered anywhere at import: each scrape builds its registry (see scrape()).
REQUEST_LATENCY = Histogram("casehub_http_request_duration_seconds", "Time to answer a request, by Flask endpoint.",
                            ["endpoint", "method"], registry=None)
OUTBOX_STATUSES = (OutboxStatus.PENDING, OutboxStatus.FAILED)


def init_app(app: Flask) -> None:
    allowed_networks(app.config["METRICS_ALLOWED_NETWORKS"])  # a mistyped setting stops start-up, not a scrape
    # Signals rather than before_request: they see every request, also those a before_request answered.
    request_started.connect(_start_timer, app)
    request_finished.connect(_observe_latency, app)


def _start_timer(sender, **extra) -> None:
    g.metrics_started = time.perf_counter()


def _observe_latency(sender, response, **extra) -> None:
    started = g.get("metrics_started")
    if started is None:
        return
    method = request.method if request.method in KNOWN_METHODS else "other"
    REQUEST_LATENCY.labels(request.endpoint or "unmatched", method).observe(time.perf_counter() - started)


@lru_cache(maxsize=8)
def allowed_networks(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """METRICS_ALLOWED_NETWORKS, comma-separated CIDRs, parsed."""
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in setting.split(",") if part.strip())
    except ValueError as error:
        raise ValueError(f"CASEHUB_METRICS_ALLOWED_NETWORKS: {error}") from None


def may_scrape(address: str | None) -> bool:
    """Whether `address` lies in the monitoring networks."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allowed_networks(current_app.config["METRICS_ALLOWED_NETWORKS"]))


def scrape(now: datetime) -> bytes:
    """Every metric in Prometheus's text format, the gauges as of `now`."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # reads every gunicorn worker's histogram files
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(OperationsCollector(now))
    return generate_latest(registry)


class OperationsCollector:
    """Gauges that describe the whole installation, computed when collected."""

    def __init__(self, now: datetime):
        self.now = now

    def collect(self):
        yield from self.queue_depths()
        yield from self.outbox_messages()
        yield from self.background_ages()
        yield from self.cases_by_agency()

    def queue_depths(self):
        queues = current_app.extensions["queues"]
        redis = current_app.extensions["redis"]
        if redis is None:
            return  # embedded mode: jobs run on a thread in the web process, there is no queue to measure
        up = GaugeMetricFamily("casehub_redis_up", "1 when Redis answered this scrape.")
        depth = GaugeMetricFamily("casehub_rq_queue_depth", "Jobs waiting on each RQ queue.", labels=["queue"])
        failed = GaugeMetricFamily("casehub_rq_failed_jobs", "Jobs in each RQ queue's failed registry.",
                                   labels=["queue"])
        try:
            with redis.pipeline(transaction=False) as pipeline:
                for name in QUEUE_NAMES:
                    pipeline.llen(queues[name].key)
                    pipeline.zcard(queues[name].failed_job_registry.key)
                counts = pipeline.execute()
        except RedisError as error:
            log.warning("metrics: Redis unreachable: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for index, name in enumerate(QUEUE_NAMES):
            depth.add_metric([name], counts[2 * index])
            failed.add_metric([name], counts[2 * index + 1])
        yield from (up, depth, failed)

    def outbox_messages(self):
        family = GaugeMetricFamily("casehub_outbox_messages", "Outbox messages pending or failed, by channel.",
                                   labels=["channel", "status"])
        counts = dict.fromkeys(((channel, status) for channel in OutboxChannel for status in OUTBOX_STATUSES), 0)
        rows = db.session.execute(
            sa.select(OutboxMessage.channel, OutboxMessage.status, sa.func.count())
            .where(OutboxMessage.status.in_(OUTBOX_STATUSES))
            .group_by(OutboxMessage.channel, OutboxMessage.status))
        counts.update({(channel, status): count for channel, status, count in rows})
        for (channel, status), count in counts.items():
            family.add_metric([channel.value, status.value], count)
        yield family

    def background_ages(self):
        status = read_operations_status()
        for name, help_text, age in (
            ("casehub_scheduler_heartbeat_age_seconds", "Seconds since the scheduler last enqueued a job.",
             status.scheduler_age(self.now)),
            ("casehub_sla_sweep_age_seconds", "Seconds since an SLA sweep last finished.",
             status.sweep_age(self.now)),
            ("casehub_oldest_pending_message_age_seconds", "Seconds the oldest pending outbox message has waited.",
             status.oldest_pending_age(self.now)),
        ):
            family = GaugeMetricFamily(name, help_text)
            if age is not None:  # never happened (or none pending): no sample, which alert rules see as absent()
                family.add_metric([], age.total_seconds())
            yield family

    def cases_by_agency(self):
        open_cases = GaugeMetricFamily("casehub_cases_open", "Open cases, by agency code.", labels=["agency"])
        overdue = GaugeMetricFamily("casehub_cases_overdue", "Open cases past their deadline, by agency code.",
                                    labels=["agency"])
        rows = db.session.execute(
            sa.select(Agency.code, sa.func.count(), sa.func.count().filter(Case.due_at < self.now))
            .select_from(Case).outerjoin(Agency, Case.agency_id == Agency.id)
            .where(OPEN_CASES).group_by(Agency.code))
        for code, open_count, overdue_count in rows:
            open_cases.add_metric([code or "none"], open_count)
            overdue.add_metric([code or "none"], overdue_count)
        yield from (open_cases, overdue)
