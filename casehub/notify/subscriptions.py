"""The outbox listens to the case lifecycle: every new CaseEvent gets the messages it calls for, in its flush.

The lifecycle (casehub.cases.services) knows nothing of notifications. Before each flush, the
outbox rows for the case events about to be written are added to the same flush, so they commit
or roll back with the change that caused them: nothing is lost when Redis is down. After the
flush (ids are known) each new outbox row, whoever wrote it, is queued for delivery after commit.
"""
import sqlalchemy as sa
import sqlalchemy.orm

from casehub.cases.models import CaseEvent
from casehub.notify.jobs import enqueue_delivery
from casehub.notify.models import OutboxMessage
from casehub.notify.services import messages_for_event


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _add_messages_for_new_case_events(session, flush_context, instances):
    events = [obj for obj in session.new if isinstance(obj, CaseEvent)]
    # session.new is unordered; the order of events only decides the order rows are inserted in.
    for event in sorted(events, key=lambda event: event.at):
        session.add_all(messages_for_event(event))


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _deliver_new_messages_after_commit(session, flush_context):
    for obj in session.new:
        if isinstance(obj, OutboxMessage):
            enqueue_delivery(obj)
