"""Liveness and readiness probes for load balancers and orchestration."""
import sqlalchemy as sa
from flask import Blueprint, current_app

from casehub.extensions import db

HEARTBEAT_KEY = "casehub:scheduler:heartbeat"

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    checks, problems = {}, []
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any driver error means "not ready"
        db.session.rollback()
        checks["database"] = "error"
        problems.append(f"database unreachable: {type(error).__name__}")
    redis = current_app.extensions["redis"]
    if redis is None:
        checks["redis"] = "not configured (embedded mode)"
        checks["scheduler"] = "in-process (embedded mode)"
    else:
        try:
            redis.ping()
            checks["redis"] = "ok"
            heartbeat = redis.get(HEARTBEAT_KEY)
            # The web stays ready without a scheduler; the heartbeat tells operators whether one runs.
            checks["scheduler"] = f"heartbeat {heartbeat.decode()}" if heartbeat else "no heartbeat"
        except Exception as error:
            checks["redis"] = "error"
            problems.append(f"redis unreachable: {type(error).__name__}")
    body = {"status": "ok" if not problems else "unavailable", "checks": checks}
    if problems:
        body["reasons"] = problems
    return body, 503 if problems else 200
