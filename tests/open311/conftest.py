"""An Open311 world: public services with every attribute datatype, an app's API key, and a live server."""
from types import SimpleNamespace

import pytest

from casehub.auth.services import issue_api_key
from casehub.directory.models import Open311Type
from casehub.extensions import db
from casehub.sla.models import SlaClock
from tests.browser.conftest import live_server  # noqa: F401  (the real client libraries talk HTTP to it)

ATTRIBUTES = [
    {"code": "SIZE", "datatype": "singlevaluelist", "required": True, "variable": True, "order": 2,
     "description": "How large is the hole?", "datatype_description": "",
     "values": [{"key": "small", "name": "Smaller than a hand"}, {"key": "large", "name": "Larger than a tyre"}]},
    {"code": "LANES", "datatype": "multivaluelist", "required": False, "variable": True, "order": 3,
     "description": "Which lanes are affected?", "values": [{"key": "left", "name": "Left"},
                                                             {"key": "right", "name": "Right"}]},
    {"code": "DEPTH", "datatype": "number", "required": False, "variable": True, "order": 4,
     "description": "Depth in centimetres", "datatype_description": "A number, e.g. 12.5"},
    {"code": "SEEN", "datatype": "datetime", "required": False, "variable": True, "order": 5,
     "description": "When did you first see it?"},
    {"code": "PLATE", "datatype": "string", "required": False, "variable": True, "order": 6,
     "description": "Nearest lamp-post number"},
    {"code": "NOTES", "datatype": "text", "required": False, "variable": True, "order": 7,
     "description": "Anything else the crew should know"},
    {"code": "SAFETY", "datatype": "text", "required": False, "variable": False, "order": 1,
     "description": "If anyone is hurt, call 119 instead."},
]


@pytest.fixture
def open311(app, make_agency, make_category, make_policy):
    """Public services (pothole with every datatype, a plain petition, a batch and a blackbox one), a hidden
    category, and an app's API key (`open311.key` is the plain key); all committed for live servers."""
    agency = make_agency(code="PWB-MAINT", name_zh="養護工程處", name_en="Maintenance Engineering Office")
    world = SimpleNamespace(agency=agency)
    world.pothole = make_category(code="pothole", name_zh="市區道路坑洞處理", name_en="Road pothole", default_agency=agency,
                                  group="道路 / Roads", keywords=["坑洞", "pothole"], description="路面坑洞",
                                  open311_attributes=ATTRIBUTES, sort_order=1)
    six_working_days = make_policy(clock=SlaClock.WORKING_DAYS, resolution_target=6)
    world.petition = make_category(code="petition_civil", name_zh="民政類陳情", name_en="Civil affairs petition",
                                   sort_order=2, sla_policy=six_working_days)
    world.batch = make_category(code="bulky_waste", open311_type=Open311Type.BATCH, sort_order=3)
    world.blackbox = make_category(code="tip_line", open311_type=Open311Type.BLACKBOX, sort_order=4)
    world.hidden = make_category(code="petition_complex", is_public=False)
    world.api_key, world.key = issue_api_key("partner-app", None)
    db.session.commit()
    return world


@pytest.fixture
def pothole_form(open311):
    """A complete, valid POST for the pothole service."""
    return {"service_code": "pothole", "lat": "22.627278", "long": "120.301435",
            "address_string": "高雄市苓雅區四維三路2號", "description": "路面有大坑洞，機車差點摔車",
            "first_name": "小明", "last_name": "陳", "email": "chen@example.com", "phone": "0912-345-678",
            "device_id": "device-1", "account_id": "acct-9", "media_url": "https://img.example.com/p.jpg",
            "attribute[SIZE]": "large", "attribute[LANES][]": ["left", "right"], "attribute[DEPTH]": "12.5",
            "attribute[SEEN]": "2026-11-25T08:00:00+08:00", "attribute[PLATE]": "A-17",
            "attribute[NOTES]": "在公車站前\n靠近路口"}
