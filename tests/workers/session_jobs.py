"""Test-only jobs: one leaves something in its database session, the next reports what it finds in its own."""
import os

from casehub.extensions import db


def leave_something_behind() -> int:
    db.session.info["left_behind"] = True
    return os.getpid()


def what_was_left() -> tuple[bool, int]:
    return db.session.info.get("left_behind", False), os.getpid()
