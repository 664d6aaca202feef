"""The whole fuzz harness (about six thousand requests, a few minutes): run with CASEHUB_FUZZ=full."""
import os

import pytest

from tests.fuzz.harness import build_world, run_everything

pytestmark = pytest.mark.skipif(os.environ.get("CASEHUB_FUZZ") != "full", reason="set CASEHUB_FUZZ=full")


def test_no_route_answers_hostile_input_with_a_server_error(app):
    tally = run_everything(app, build_world())
    print("\nfuzz harness:", tally.summary())
    for method, url, cause in tally.server_errors:
        print(f"  5xx {method} {url}  <- {cause}")
    assert tally.server_errors == []
