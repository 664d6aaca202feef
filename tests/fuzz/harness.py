"""A reproducible fuzz harness: every route of the app, as every role, with the values in `hostile`.

It builds a seeded world (Kaohsiung's reference data, the demo users and cases, a call, an Open311 key),
discovers each page's forms by rendering it, then sends, with the Flask test client:
- every GET route with hostile path segments and hostile values in its query parameters (the page's own GET
  forms' fields, plus the parameters any view reads), and raw query strings that are not valid UTF-8;
- every POST form found on a page with each field replaced in turn, plus bodies that are not valid UTF-8;
- the JSON API's writes with each field given values of the wrong type, fields meant for another action,
  JSON nested 100,000 levels deep and bodies that are not UTF-8;
- Open311's GET and POST with the same treatment.
A fixed seed picks the same sample every run. `tally.server_errors` names each 5xx and what raised it.
"""
import logging
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit

import sqlalchemy as sa
from flask import Flask

from casehub.auth.models import Role, User
from casehub.auth.services import issue_api_key, issue_token
from casehub.cases.models import Case
from casehub.cases.services import ACTIONS
from casehub.directory.models import Category
from casehub.directory.seed import seed_demo_cases, seed_demo_users, seed_reference_data
from casehub.extensions import db
from casehub.intake.services import log_call
from tests.fuzz import hostile

ROLES = {"operator": Role.OPERATOR, "manager": Role.MANAGER, "staff": Role.AGENCY_STAFF, "admin": Role.ADMIN}
PASSWORDS = {"operator": "Kaohsiung-1999-ops", "manager": "Kaohsiung-1999-rdec", "staff": "Kaohsiung-1999-crew",
             "admin": "Kaohsiung-1999-root"}
# Routes that would end the harness's own session, that only serve files, or whose 503 is the answer ("not ready").
SKIPPED_ENDPOINTS = {"auth.logout", "static", "health.readyz"}
# Parameters views read from the query string without a GET form naming them.
READ_BY_VIEWS = ["page", "per_page", "q", "next", "reveal", "include", "year", "from", "to", "month", "agency",
                 "category", "district", "status", "phone", "address", "group_by", "all", "parent"]
OPEN311_QUERY = ["service_request_id", "service_code", "start_date", "end_date", "status", "jurisdiction_id",
                 "api_key"]
PLACEHOLDER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")
FIXED_NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
WORLD_ATTRIBUTES = [
    {"code": "SIZE", "datatype": "singlevaluelist", "required": True, "variable": True, "order": 1,
     "description": "How large?", "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}]},
    {"code": "DEPTH", "datatype": "number", "required": False, "variable": True, "order": 2, "description": "cm"},
    {"code": "SEEN", "datatype": "datetime", "required": False, "variable": True, "order": 3, "description": "When"},
]


@dataclass
class Tally:
    requests: Counter = field(default_factory=Counter)
    server_errors: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.requests['GET']} GETs, {self.requests['POST']} POSTs, "
                f"{len(self.server_errors)} answered 5xx")


class _ExceptionRecorder(logging.Handler):
    """Keeps the last exception the app logged as unhandled, to name the cause of a 500."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record):
        if record.exc_info:
            error, tb = record.exc_info[1], record.exc_info[2]
            while tb.tb_next:
                tb = tb.tb_next
            self.last = f"{type(error).__name__}: {str(error)[:120]} ({tb.tb_frame.f_code.co_filename.rsplit('/', 2)[-2:]}:{tb.tb_lineno})"


class _Forms(HTMLParser):
    """The forms of a page: method, action and each field's name and first value."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "",
                               "fields": {}})
        elif tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            fields = self.forms[-1]["fields"]
            if attrs.get("type") in ("checkbox", "radio") and attrs["name"] in fields:
                return
            fields[attrs["name"]] = attrs.get("value") or ""
            self._select = attrs["name"] if tag == "select" else None
        elif tag == "option" and self.forms and getattr(self, "_select", None):
            fields = self.forms[-1]["fields"]
            if not fields[self._select]:
                fields[self._select] = attrs.get("value") or ""


def build_world() -> SimpleNamespace:
    """Kaohsiung's reference data, one demo user per role, sample cases, a call, an Open311 key; committed."""
    seed_reference_data()
    seed_demo_users()
    seed_demo_cases()
    users = {name: db.session.scalar(sa.select(User).where(User.username == username))
             for name, username in (("operator", "operator"), ("manager", "manager"), ("staff", "staff"),
                                    ("admin", "admin"))}
    spare = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    case = db.session.scalar(sa.select(Case).where(Case.agency_id == users["staff"].agency_id).order_by(Case.id))
    service = db.session.scalar(sa.select(Category).where(Category.is_public).order_by(Category.sort_order))
    service.open311_attributes = WORLD_ATTRIBUTES
    call = log_call({"started_at": FIXED_NOW, "outcome": "consultation", "caller_phone": "0912345678",
                     "summary": "詢問"}, operator=users["operator"])
    _api_key, open311_key = issue_api_key("fuzz-app", None)
    tokens = {name: issue_token(user) for name, user in users.items()}
    db.session.commit()
    return SimpleNamespace(users=users, tokens=tokens, case_number=case.number, case_id=case.id,
                           agency_code=case.agency.code, agency_id=case.agency_id, category_code=case.category.code,
                           category_id=case.category_id, service_code=service.code, open311_key=open311_key,
                           call_id=call.id, spare_user_id=spare.id, district_code=case.district.code
                           if case.district else None)


class Harness:
    def __init__(self, app: Flask, world: SimpleNamespace, *, seed: int = 1999):
        self.app = app
        self.world = world
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.recorder = _ExceptionRecorder()
        self.clients = {}
        self._address = 0

    # -- plumbing ---------------------------------------------------------------------------------------------
    def client(self, role: str | None):
        if role not in self.clients:
            client = self.app.test_client()
            if role is not None:
                response = client.post("/login", data={"username": self.world.users[role].username,
                                                       "password": PASSWORDS[role]})
                assert response.status_code == 302, f"{role} could not sign in"
            self.clients[role] = client
        return self.clients[role]

    def send(self, role: str | None, method: str, url: str, **kwargs) -> int | None:
        """One request; a 5xx is recorded with the exception the app logged. None when the client refused it."""
        self._address += 1
        # A new client address each time, so per-address rate limits do not hide what lies behind them.
        environ = {"REMOTE_ADDR": f"10.{self._address // 65536 % 256}.{self._address // 256 % 256}.{self._address % 256}"}
        self.recorder.last = None
        try:
            response = self.client(role).open(url, method=method, environ_overrides=environ, **kwargs)
        except (ValueError, UnicodeError):
            return None  # the test client itself could not build it
        self.tally.requests[method] += 1
        if response.status_code >= 500:
            self.tally.server_errors.append((method, url[:160], self.recorder.last or f"{response.status_code}"))
        return response.status_code

    def sample(self, values: list, k: int) -> list:
        return values if len(values) <= k else self.rng.sample(values, k)

    def text_values(self, k: int) -> list[str]:
        """The values that caused 500s before, and `k` others picked by the seed."""
        return hostile.CORE_TEXT + self.sample(hostile.OTHER_TEXT, k)

    # -- discovery --------------------------------------------------------------------------------------------
    def path_value(self, name: str, rule: str) -> str:
        w = self.world
        if rule.startswith("/open311"):
            return {"fmt": "json", "service_code": w.service_code, "service_request_id": w.case_number,
                    "token": "0" * 32}.get(name, "x")
        return {
            "number": w.case_number, "action": "note", "call_id": w.call_id, "agency_id": w.agency_id,
            "category_id": w.category_id, "user_id": w.spare_user_id, "agency": w.agency_code, "month": "2026-11",
            "fmt": "csv", "code": "en", "attachment_id": 1, "key_id": 1, "rule_id": 1, "policy_id": 1,
            "exception_id": 1, "message_id": 1,
        }.get(name, "1")

    def routes(self):
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint not in SKIPPED_ENDPOINTS:
                yield rule

    def build(self, rule, **overrides) -> str:
        """The rule's URL with good values, except `overrides` (already percent-encoded)."""
        def segment(match):
            name = match.group(1)
            return overrides.get(name) or quote(str(self.path_value(name, rule.rule)), safe="")
        return PLACEHOLDER.sub(segment, rule.rule)

    def forms_on(self, role: str | None, url: str) -> list[dict]:
        response = self.client(role).get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            return []
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        return parser.forms

    # -- the runs ---------------------------------------------------------------------------------------------
    def fuzz_get_routes(self, roles, *, prefixes=("/",), values_per_name: int = 2, path_values: int = 3,
                        other_names: int = 4):
        """Hostile path segments and query parameters for every GET route under `prefixes`."""
        for rule in self.routes():
            if "GET" not in rule.methods or not rule.rule.startswith(prefixes):
                continue
            for role in roles:
                url = self.build(rule)
                names = set(OPEN311_QUERY if rule.rule.startswith("/open311") else
                            self.sample(READ_BY_VIEWS, other_names))
                for form in self.forms_on(role, url):
                    if form["method"] == "get":
                        names |= set(form["fields"])
                for name in sorted(names):
                    for value in self.text_values(values_per_name):
                        self.send(role, "GET", f"{url}?{urlencode({name: value})}")
                    for raw in self.sample(hostile.RAW, 1):
                        self.send(role, "GET", f"{url}?{name}={raw}")
                for name in rule.arguments:
                    if name == "fmt" and rule.rule.startswith("/open311"):
                        continue
                    for value in self.text_values(path_values) + self.sample(hostile.RAW, 2):
                        bad = value if value in hostile.RAW else quote(value, safe="")
                        self.send(role, "GET", self.build(rule, **{name: bad}))

    def fuzz_post_forms(self, roles, *, values_per_field: int = 2):
        """Every POST form found on the pages each role can open, each field replaced by hostile values."""
        seen = set()
        for rule in self.routes():
            if "GET" not in rule.methods or rule.rule.startswith(("/api", "/open311")):
                continue
            for role in roles:
                url = self.build(rule)
                for form in self.forms_on(role, url):
                    action = urlsplit(form["action"]).path or url
                    if form["method"] != "post" or (role, action, tuple(form["fields"])) in seen:
                        continue
                    if action in ("/logout",):
                        continue
                    seen.add((role, action, tuple(form["fields"])))
                    for name in form["fields"]:
                        for value in self.text_values(values_per_field):
                            self.send(role, "POST", action, data=form["fields"] | {name: value})
                    self.send(role, "POST", action, data=b"x=%ff%fe&csrf_token=%00",
                              content_type="application/x-www-form-urlencoded")
                    self.send(role, "POST", action, data="\x00".encode() + b"\xff\xfe",
                              content_type="application/x-www-form-urlencoded; charset=utf-8")

    def fuzz_json_api(self, roles, *, values_per_field: int = 6):
        """The API's writes with each field of the wrong type, other actions' fields, deep and broken bodies."""
        w = self.world
        case_body = {"kind": "dispatch", "channel": "phone", "category": w.category_code, "description": "路燈不亮",
                     "address": "高雄市三民區九如一路100號", "district": w.district_code, "lat": 22.6445,
                     "lng": 120.312, "received_at": "2026-11-26T10:00:00+08:00", "attributes": {},
                     "reporter": {"name": "王小明", "phone": "0912345678", "email": "ming@example.tw",
                                  "anonymous": False, "contact_preference": "sms"}}
        case_body["call_id"] = w.call_id
        call_body = {"caller_phone": "0912345678", "started_at": "2026-11-26T10:00:00+08:00",
                     "ended_at": "2026-11-26T10:05:00+08:00", "outcome": "consultation",
                     "answered_immediately": True, "summary": "詢問"}
        action_fields = {"version": 1, "reply": "已修復", "reason": "重複", "message": "地址?", "note": "好",
                         "text": "備註", "agency": w.agency_code, "into": w.case_number, "days": 3}
        targets = [("/api/v1/cases", case_body), ("/api/v1/calls", call_body)]
        targets += [(f"/api/v1/cases/{w.case_number}/actions/{action}", {}) for action in ACTIONS]
        for role in roles:
            headers = {"Authorization": f"Bearer {w.tokens[role]}"}
            for url, body in targets:
                fields = dict(body) or action_fields
                for name in fields:
                    for value in self.sample(hostile.JSON_VALUES, values_per_field):
                        sent = (body | {name: value}) if body else {name: value}
                        self.send(role, "POST", url, headers=headers, json=sent)
                for name in ("reporter",) if "reporter" in body else ():
                    for inner in body["reporter"]:
                        for value in self.sample(hostile.JSON_VALUES, values_per_field):
                            self.send(role, "POST", url, headers=headers,
                                      json=body | {"reporter": body["reporter"] | {inner: value}})
                for raw in (hostile.deep_json(), "[]", '"x"', "1", "null", "{", b"{\"a\": \"\xff\xfe\"}",
                            '{"a": "\\ud800"}', '{"a": 1e999999}', hostile.json_body(body | {"unknown": 1})):
                    self.send(role, "POST", url, headers=headers, data=raw, content_type="application/json")

    def fuzz_open311_post(self, *, values_per_field: int = 6):
        w = self.world
        form = {"api_key": w.open311_key, "service_code": w.service_code, "lat": "22.627278", "long": "120.301435",
                "address_string": "高雄市苓雅區四維三路2號", "description": "路面有大坑洞", "first_name": "小明",
                "last_name": "陳", "email": "chen@example.com", "phone": "0912-345-678", "device_id": "d",
                "account_id": "a", "media_url": "https://img.example.com/p.jpg", "attribute[SIZE]": "large",
                "attribute[DEPTH]": "12.5", "attribute[SEEN]": "2026-11-25T08:00:00+08:00", "jurisdiction_id": ""}
        for fmt in ("json", "xml"):
            url = f"/open311/v2/requests.{fmt}"
            for name in form:
                for value in self.text_values(values_per_field):
                    self.send(None, "POST", url, data=form | {name: value})
            self.send(None, "POST", url, data=b"service_code=%ff%00&api_key=" + w.open311_key.encode(),
                      content_type="application/x-www-form-urlencoded")
            self.send(None, "POST", url, data=hostile.deep_json(), content_type="application/json")


def run_everything(app: Flask, world: SimpleNamespace, *, seed: int = 1999) -> Tally:
    """The whole harness: every role, every route; about six thousand requests."""
    harness = Harness(app, world, seed=seed)
    logging.getLogger("casehub.errors").addHandler(harness.recorder)
    try:
        roles = list(ROLES)
        harness.fuzz_get_routes([None, *roles])
        harness.fuzz_post_forms([None, *roles])
        harness.fuzz_json_api(roles)
        harness.fuzz_open311_post()
    finally:
        logging.getLogger("casehub.errors").removeHandler(harness.recorder)
    return harness.tally
