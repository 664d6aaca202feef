"""Open311 reads are limited per client address and per api_key, answered in the spec's error format."""
import xml.etree.ElementTree as ET

import pytest

from casehub.auth.services import issue_api_key
from casehub.extensions import db
from tests.test_ratelimit import NOON, fallback, unreachable_redis  # noqa: F401

V2 = "/open311/v2"
READS = [f"{V2}/services.json", f"{V2}/requests.json", f"{V2}/requests/20261126-000001.json"]


@pytest.fixture
def three_reads_a_minute(app, open311, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "open311_get", (3, 60))
    monkeypatch.setattr("casehub.open311.views.utcnow", lambda: NOON)
    return open311


def read(client, url: str, address: str = "10.0.0.1"):
    return client.get(url, environ_base={"REMOTE_ADDR": address})


def test_reads_are_limited_per_client_address(client, three_reads_a_minute):
    assert [read(client, url).status_code for url in READS] == [200, 200, 404]
    refused = read(client, f"{V2}/services.json")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.get_json() == [{"code": 429, "description": "Too many requests; try again in 60 seconds."}]
    refused_xml = read(client, f"{V2}/services.xml")
    assert refused_xml.status_code == 429 and ET.fromstring(refused_xml.data).findtext("error/code") == "429"
    assert read(client, f"{V2}/services.json", address="10.0.0.2").status_code == 200


def test_reads_naming_a_key_are_limited_per_key_from_any_address(client, three_reads_a_minute):
    other, other_key = issue_api_key("other-app", None)
    db.session.commit()
    key = three_reads_a_minute.key
    statuses = [read(client, f"{V2}/services.json?api_key={key}", address=f"10.0.0.{host}").status_code
                for host in range(1, 5)]
    assert statuses == [200, 200, 200, 429]
    assert read(client, f"{V2}/services.json?api_key={other_key}", address="10.0.0.5").status_code == 200


def test_posts_are_not_counted_as_reads(client, three_reads_a_minute):
    for _attempt in range(4):
        client.post(f"{V2}/requests.json", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert read(client, f"{V2}/services.json").status_code == 200


def test_reads_stay_limited_while_redis_is_unreachable(client, three_reads_a_minute, unreachable_redis, app,
                                                       monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "open311_get", (4, 60))  # 2 for each of the 2 processes
    assert [read(client, f"{V2}/services.json").status_code for _attempt in range(3)] == [200, 200, 429]
