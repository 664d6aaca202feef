"""The outbox listens to the case lifecycle: every new CaseEvent gets the messages it calls for, in its flush.

The lifecycle (casehub.cases.services) knows nothing of notifications. Once a flush has written
new case events (their ids and their case's are known then), the outbox rows they call for are
written through add_to_outbox on the same connection, so they commit or roll back with the change
that caused them: nothing is lost when Redis is down, and each is queued for delivery after commit.
"""
import sqlalchemy as sa
import sqlalchemy.orm

from casehub.cases.models import CaseEvent
from casehub.notify.outbox import add_to_outbox
from casehub.notify.services import messages_for_event


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _write_messages_for_new_case_events(session, flush_context):
    events = [obj for obj in session.new if isinstance(obj, CaseEvent)]
    # session.new is unordered; the order of events only decides the order rows are inserted in.
    rows = [row for event in sorted(events, key=lambda event: event.at) for row in messages_for_event(event)]
    add_to_outbox(rows)
