"""Recording heartbeats. Low in the layers: the scheduler and the SLA jobs call it."""
import logging
import os
import socket
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from casehub.extensions import db
from casehub.health.models import Beat, Heartbeat

log = logging.getLogger(__name__)


def record_beat(beat: Beat, at: datetime) -> None:
    """Note that `beat` happened at `at`, in a transaction of its own; never raises on a database error.

    Its own transaction, so that a beat is neither rolled back with the caller's work nor commits it; and a
    heartbeat that cannot be written must not stop the scheduler or fail a sweep that did its work.
    """
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    values = {"name": beat, "at": at, "source": f"{socket.gethostname()}:{os.getpid()}"}
    statement = insert(Heartbeat).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[Heartbeat.name], set_={"at": statement.excluded.at, "source": statement.excluded.source})
    try:
        with db.engine.begin() as connection:
            connection.execute(statement)
    except sa.exc.SQLAlchemyError as error:
        log.warning("could not record the %s heartbeat: %s", beat, type(error).__name__)
