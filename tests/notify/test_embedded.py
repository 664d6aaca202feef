"""Embedded mode (SQLite, no Redis, no mail server): messages are delivered to the local sent-mail page."""
import sqlalchemy as sa
from flask_migrate import upgrade

from casehub import create_app
from casehub.directory.seed import seed_demo_cases, seed_demo_users, seed_reference_data
from casehub.extensions import db
from casehub.notify.models import LocalMail, OutboxMessage, OutboxStatus
from config import Config


def test_the_demo_shows_what_it_sent_on_the_sent_mail_page(tmp_path):
    class EmbeddedConfig(Config):
        ENV_NAME = "test"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        REDIS_URL = None
        MAIL_SERVER = None
        SMS_GATEWAY_URL = None
        SECRET_KEY = "x" * 40
        WTF_CSRF_ENABLED = False

    demo = create_app(EmbeddedConfig)
    with demo.app_context():
        upgrade()
        seed_reference_data()
        seed_demo_users()
        seed_demo_cases()
        db.session.commit()  # the in-process queue delivers on its thread once the commit is done
        demo.extensions["queues"]["default"].executor.shutdown(wait=True)
        statuses = set(db.session.scalars(sa.select(OutboxMessage.status)))
        kept = db.session.scalars(sa.select(LocalMail)).all()
        assert statuses == {OutboxStatus.SENT}
        assert any(mail.subject.startswith("【緊急派工】") for mail in kept)  # the demo's pothole, to its agency

        client = demo.test_client()
        client.post("/login", data={"username": "operator", "password": "Kaohsiung-1999-ops"})
        page = client.get("/notify/sent").get_data(as_text=True)
        assert kept[0].subject in page and kept[-1].body.splitlines()[0] in page
        db.session.remove()
        db.engine.dispose()
