"""Every module imports on its own in a fresh interpreter, as `python -m workers.scheduler` and RQ's work-horses do.

The test suite imports the whole application first, which hides an import cycle that only bites
when a process starts from a deeper module; so each module is imported in a forked child of an
interpreter that has loaded the third-party libraries but nothing of CaseHub.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import importlib, os, sys
import apscheduler, flask, flask_babel, flask_login, flask_sqlalchemy, flask_wtf, holidays, marshmallow, openpyxl, rq
failed = []
for name in sys.argv[1:]:
    child = os.fork()
    if child == 0:
        try:
            importlib.import_module(name)
        except BaseException as error:
            print(f"{name}: {error!r}", flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    failed += [name] if status else []
sys.exit(1 if failed else 0)
"""


def module_names() -> list[str]:
    paths = sorted([*(ROOT / "casehub").rglob("*.py"), *(ROOT / "workers").rglob("*.py")])
    return [".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for path in paths]


def test_every_module_imports_first_in_a_fresh_interpreter():
    names = module_names()
    assert "workers.scheduler" in names and "casehub.notify.jobs" in names
    result = subprocess.run([sys.executable, "-c", CHECK, *names], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
