"""RQ worker: `python -m workers.worker [--burst] [QUEUE ...]` (all queues, most urgent first, when none is named).

`--burst` drains the queues and exits (operations, tests) instead of waiting for more work.

The app is built once; each job runs in the worker process itself, inside an app context of its
own. RQ's default worker forks a work-horse per job, which starts cold every time (a new database
connection, templates compiled and the translations read again): about 300 ms a notification,
too slow for a typhoon's thousands of hazard notices. Jobs are short, take ids and reload their
rows, so they need no process of their own; a job's timeout still stops it (RQ's alarm signal).
"""
import logging
import sys

from flask import Flask
from rq import SimpleWorker

from casehub import create_app
from casehub.jobs import QUEUE_NAMES


class AppWorker(SimpleWorker):
    """Runs each job in a fresh app context: its session, and whatever it left behind, end with the job."""

    def __init__(self, *args, app: Flask, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job, queue, execution) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


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
    queues = [app.extensions["queues"][name] for name in names]
    AppWorker(queues, connection=app.extensions["redis"], app=app).work(with_scheduler=True, burst=burst)


if __name__ == "__main__":
    main(sys.argv[1:])
