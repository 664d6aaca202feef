"""RQ worker: `python -m workers.worker [--burst] [QUEUE ...]` (all queues, most urgent first, when none is named).

`--burst` drains the queues and exits (operations, tests) instead of waiting for more work.

The app is built once in the parent; each job runs in a forked work-horse that inherits
the app context and opens its own database connections.
"""
import logging
import sys

from rq import Worker

from casehub import create_app
from casehub.extensions import db
from casehub.jobs import QUEUE_NAMES


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    if not app.config["REDIS_URL"]:
        sys.exit("REDIS_URL is not set: in embedded mode jobs run inside the web process; no worker is needed.")
    burst = "--burst" in argv
    names = [name for name in argv if name != "--burst"] or list(QUEUE_NAMES)
    unknown = sorted(set(names) - set(QUEUE_NAMES))
    if unknown:
        sys.exit(f"Unknown queue(s): {', '.join(unknown)}. Queues: {', '.join(QUEUE_NAMES)}.")
    with app.app_context():
        # Connections must not be shared across fork(): each work-horse opens its own.
        db.engine.dispose()
        queues = [app.extensions["queues"][name] for name in names]
        Worker(queues, connection=app.extensions["redis"]).work(with_scheduler=True, burst=burst)


if __name__ == "__main__":
    main(sys.argv[1:])
