"""The tracking-code limit holds while Redis is down: private codes cannot be guessed faster during an outage."""
from tests.test_ratelimit import NOON, fallback, unreachable_redis  # noqa: F401


def test_look_ups_stay_limited_while_redis_is_unreachable(app, client, filed, unreachable_redis, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "tracking", (4, 600))  # 2 for each of the 2 processes
    monkeypatch.setattr("casehub.citizen.views.utcnow", lambda: NOON)
    look_up = {"number": filed.number, "code": "00000000"}
    assert [client.post("/citizen/track", data=look_up).status_code for _attempt in range(2)] == [404, 404]
    refused = client.post("/citizen/track", data={"number": filed.number, "code": filed.code})
    assert refused.status_code == 429  # even the right code, until the window ends
    assert "請稍後再試" in refused.get_data(as_text=True) or "try again later" in refused.get_data(as_text=True)
