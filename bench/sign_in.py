"""How long the sign-in page takes to refuse an unknown username and a wrong password (they should match).

    python -m bench.sign_in [--rounds 30]

Runs the embedded app (a fresh SQLite file, no Redis) with the production password hashing (scrypt) and posts the
sign-in form through Flask's test client, alternating the two cases. Each attempt comes from an address of its own,
so the sign-in throttle never steps in. Prints the median and the spread of each.
"""
import argparse
import statistics
import tempfile
import time
from pathlib import Path


def measure(rounds: int) -> dict[str, list[float]]:
    from flask_migrate import upgrade

    from casehub import create_app
    from casehub.auth.services import create_user
    from casehub.extensions import db
    from config import Config

    directory = Path(tempfile.mkdtemp(prefix="casehub-sign-in-"))

    class BenchConfig(Config):
        ENV_NAME = "bench"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{directory / 'bench.sqlite3'}"
        REDIS_URL = None
        SECRET_KEY = "bench-" + "x" * 40
        WTF_CSRF_ENABLED = False

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade()
        create_user(username="lin.operator", password="Lotus-Pond-Dragon-7", role="operator")
        db.session.commit()
    client = app.test_client()
    cases = {"unknown username": "nobody.here", "wrong password": "lin.operator"}
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for n in range(rounds + 1):
        for name, username in cases.items():
            address = f"10.{n // 250}.{n % 250}.{list(cases).index(name) + 1}"
            started = time.perf_counter()
            response = client.post("/login", data={"username": username, "password": "not-the-password"},
                                   environ_base={"REMOTE_ADDR": address})
            elapsed = time.perf_counter() - started
            assert response.status_code == 401, response.status_code
            if n:  # the first round warms up (templates, the dummy hash)
                timings[name].append(elapsed * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    timings = measure(parser.parse_args().rounds)
    for name, values in timings.items():
        print(f"{name:<17} median {statistics.median(values):6.1f} ms   "
              f"min {min(values):6.1f}   max {max(values):6.1f}   ({len(values)} attempts)")


if __name__ == "__main__":
    main()
