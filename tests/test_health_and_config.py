import os
import subprocess
import sys
from pathlib import Path

import pytest

from casehub import UnsafeConfiguration, create_app
from config import Config


def test_healthz_answers(client):
    assert client.get("/healthz").json == {"status": "ok"}


def _production(**settings):
    return type("Production", (Config,), {
        "ENV_NAME": "production", "SECRET_KEY": "s" * 40, "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1/casehub",
        "SESSION_COOKIE_SECURE": True, **settings})


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY must be set"):
        create_app(_production(SECRET_KEY=None))


@pytest.mark.parametrize("setting, message", [
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite3"}, "DATABASE_URL must point to PostgreSQL"),
    ({"REDIS_URL": None}, "REDIS_URL must be set"),
    ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
    ({"SECRET_KEY": "short"}, "at least 32 characters"),
])
def test_production_refuses_other_unsafe_settings(setting, message):
    with pytest.raises(UnsafeConfiguration, match=message):
        create_app(_production(**setting))


def test_safe_production_configuration_starts():
    assert create_app(_production()).config["ENV_NAME"] == "production"


def test_the_served_app_leaves_what_start_up_made_out_of_garbage_collection(tmp_path):
    """wsgi.py freezes the objects of start-up: full collections then walk only what requests make."""
    environment = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CASEHUB_ENV")}
    environment |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'casehub.sqlite3'}", "CASEHUB_INSTANCE_DIR": str(tmp_path)}
    printed = subprocess.run([sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"],
                             cwd=Path(__file__).resolve().parent.parent, env=environment, capture_output=True,
                             text=True, check=True).stdout
    frozen, tracked = map(int, printed.split())
    assert frozen > 100_000 and tracked < frozen / 10
