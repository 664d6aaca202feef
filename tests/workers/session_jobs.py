"""Test-only jobs: one leaves something in its database session, the next reports what it finds in its own;
one loses its database connection, the next reads the database."""
import os

import sqlalchemy as sa

from casehub.extensions import db


def leave_something_behind() -> int:
    db.session.info["left_behind"] = True
    return os.getpid()


def what_was_left() -> tuple[bool, int]:
    return db.session.info.get("left_behind", False), os.getpid()


def lose_the_database() -> None:
    """Its connection is terminated under it, as a failover does (the job fails with OperationalError)."""
    db.session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))


def read_the_database() -> int:
    return db.session.scalar(sa.text("SELECT 1"))
