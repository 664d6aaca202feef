"""Fixtures: a real PostgreSQL database and Redis database number of the tests' own.

Every test starts from empty tables and an empty Redis database: tables are truncated after
each test (not rolled back), so real commits, after-commit hooks, workers and a live browser
server all behave as in production.
"""
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from rq import SimpleWorker

from casehub import create_app
from casehub.extensions import db
from casehub.jobs import QUEUE_NAMES
from config import Config, TestConfig

pytest_plugins = ["tests.factories"]


def ensure_database(url: str) -> None:
    """Create the test database on the server when it is missing."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": target.database})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


class IsolatedClient(FlaskClient):
    """Each request gets an app context (so a session and `g`) of its own, as in production.

    Without this, requests would share the test's app context and, with it, the test's
    database session and Flask-Login's cached user.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _migrated_app(tmp_path_factory):
    ensure_database(TestConfig.SQLALCHEMY_DATABASE_URI)
    app = create_app(TestConfig)
    app.test_client_class = IsolatedClient
    app.config["ATTACHMENT_DIR"] = str(tmp_path_factory.mktemp("attachments"))
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_migrated_app):
    """The app on a freshly migrated test database (the migrations are under test too).

    Leaves nothing behind: every table and the tests' Redis database are emptied afterwards.
    """
    with _migrated_app.app_context():
        yield _migrated_app
        db.session.remove()
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _migrated_app.extensions["redis"].flushdb()


@pytest.fixture
def embedded_app(tmp_path):
    """The embedded default: a freshly migrated SQLite file, no Redis, no mail server or SMS gateway."""

    class EmbeddedConfig(Config):
        ENV_NAME = "test"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
        REDIS_URL = None
        MAIL_SERVER = None
        SMS_GATEWAY_URL = None
        SECRET_KEY = "x" * 40
        WTF_CSRF_ENABLED = False
        PASSWORD_HASH_METHOD = TestConfig.PASSWORD_HASH_METHOD

    embedded = create_app(EmbeddedConfig)
    with embedded.app_context():
        upgrade()
        yield embedded
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis_conn(app):
    return app.extensions["redis"]


@pytest.fixture
def run_jobs(app, redis_conn):
    """Run every queued RQ job now, in this process, against the real Redis."""

    def _run() -> None:
        queues = [app.extensions["queues"][name] for name in QUEUE_NAMES]
        SimpleWorker(queues, connection=redis_conn).work(burst=True)

    return _run


@pytest.fixture
def login(client):
    """Sign `user` in through the login form (password as given to the factory)."""

    def _login(user, password: str = "correct-horse-battery"):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login
