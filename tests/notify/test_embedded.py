"""Embedded mode (SQLite, no Redis, no mail server): messages are delivered to the local sent-mail page."""
import sqlalchemy as sa

from casehub.directory.seed import seed_demo_cases, seed_demo_users, seed_reference_data
from casehub.extensions import db
from casehub.notify.models import LocalMail, OutboxMessage, OutboxStatus


def test_the_demo_shows_what_it_sent_on_the_sent_mail_page(embedded_app):
    seed_reference_data()
    seed_demo_users()
    seed_demo_cases()
    db.session.commit()  # the in-process queue delivers on its thread once the commit is done
    embedded_app.extensions["queues"]["default"].executor.shutdown(wait=True)
    statuses = set(db.session.scalars(sa.select(OutboxMessage.status)))
    kept = db.session.scalars(sa.select(LocalMail)).all()
    assert statuses == {OutboxStatus.SENT}
    assert any(mail.subject.startswith("【緊急派工】") for mail in kept)  # the demo's pothole, to its agency

    client = embedded_app.test_client()
    client.post("/login", data={"username": "operator", "password": "Kaohsiung-1999-ops"})
    page = client.get("/notify/sent").get_data(as_text=True)
    assert kept[0].subject in page and kept[-1].body.splitlines()[0] in page
