"""Probes for load balancers and orchestration, the metrics for the operations team, and the staff banner."""
import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST

from casehub.extensions import db
from casehub.health import metrics
from casehub.health.status import cached_operations_status, read_operations_status
from casehub.models import utcnow

bp = Blueprint("health", __name__)


@bp.record_once
def _instrument(state) -> None:
    metrics.init_app(state.app)


@bp.route("/healthz")
def healthz():
    """Liveness: the process answers. Depends on nothing, so an outage elsewhere never gets it restarted."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """Readiness: the database and Redis answer and a scheduler acts; how far behind background work is."""
    now = utcnow()
    checks, reasons, warnings, body = {}, [], [], {}
    try:
        status = read_operations_status()
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        status = None
        checks["database"] = "error"
        reasons.append(f"database unreachable: {type(error).__name__}")
    redis = current_app.extensions["redis"]
    if redis is None:
        checks["redis"] = "not configured (embedded mode)"
    else:
        try:
            redis.ping()
            checks["redis"] = "ok"
        except Exception as error:  # any client error means "not ready"
            checks["redis"] = "error"
            reasons.append(f"redis unreachable: {type(error).__name__}")
    if status is not None:
        body["ages_seconds"] = {
            "scheduler_heartbeat": _seconds(status.scheduler_age(now)),
            "sla_sweep": _seconds(status.sweep_age(now)),
            "oldest_pending_message": _seconds(status.oldest_pending_age(now)),
        }
        body["scheduler"] = status.scheduler_source
        if status.scheduler_stale(now):
            checks["scheduler"] = "stale" if status.scheduler_at else "no heartbeat"
            limit = current_app.config["SCHEDULER_STALE_MINUTES"]
            reasons.append(f"scheduler: no heartbeat for {limit} minutes")
        else:
            checks["scheduler"] = "ok"
        # Late workers do not make this process unable to serve: reported, not a reason to take it out.
        if status.sweep_late(now):
            warnings.append(f"SLA sweep late: none finished for {current_app.config['SWEEP_LATE_MINUTES']} minutes")
        if status.messages_late(now):
            warnings.append(f"messages late: one pending for over {current_app.config['MESSAGE_LATE_MINUTES']} minutes")
    body = {"status": "unavailable" if reasons else "ok", "checks": checks, **body}
    if reasons:
        body["reasons"] = reasons
    if warnings:
        body["warnings"] = warnings
    return body, 503 if reasons else 200


def _seconds(age) -> int | None:
    return None if age is None else round(age.total_seconds())


@bp.route("/metrics")
def prometheus_metrics():
    """Prometheus text format, for the monitoring networks only; anyone else is told there is no such page."""
    if not metrics.may_scrape(request.remote_addr):
        abort(404)
    return Response(metrics.scrape(utcnow()), content_type=CONTENT_TYPE_LATEST)


@bp.app_context_processor
def operations_banner_helper() -> dict:
    def operations_banner():
        """The status and `now` when staff should be warned that background work is behind, else None."""
        if not current_user.is_authenticated:
            return None
        now = utcnow()
        status = cached_operations_status(now)
        return (status, now) if status.behind(now) else None

    return {"operations_banner": operations_banner}
