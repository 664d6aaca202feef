"""A bounded fuzz of the pages' query parameters and of Open311 (fixed seed): no answer is a 5xx."""
import logging

from tests.fuzz.harness import Harness, build_world


def test_pages_and_open311_answer_hostile_input_without_a_server_error(app):
    harness = Harness(app, build_world(), seed=14)
    logging.getLogger("casehub.errors").addHandler(harness.recorder)
    try:
        harness.fuzz_get_routes(["operator", "manager", "staff", "admin"], prefixes=(
            "/cases", "/reports", "/admin", "/notify", "/intake", "/citizen"), values_per_name=0, path_values=0,
            other_names=2)
        harness.fuzz_get_routes([None], prefixes=("/open311", "/citizen"), values_per_name=1, path_values=1)
        harness.fuzz_open311_post(values_per_field=1)
    finally:
        logging.getLogger("casehub.errors").removeHandler(harness.recorder)
    assert harness.tally.requests["GET"] > 1000
    assert harness.tally.server_errors == []
