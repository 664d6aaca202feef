"""Real Open311 client libraries from PyPI against a live server: georeport (reads, XML and JSON) and civicbot
(reads and POST with attributes, JSON). Pinned in requirements-dev.txt."""
import pytest
import sqlalchemy as sa
from civicbot import Endpoint, HttpError, Open311Client
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import CONFIRM_TOKEN
from georeport import GeoReport

from casehub.auth.models import Role
from casehub.cases.models import Case, Channel
from casehub.cases.queries import filtered_cases
from casehub.extensions import db
from casehub.models import utcnow
from casehub.open311.documents import w3c


@pytest.fixture
def civicbot(open311, live_server):
    """civicbot's client on our endpoint, without its politeness delay between calls."""
    endpoint = Endpoint(id="kaohsiung", name="Kaohsiung 1999", base_url=f"{live_server}/open311/v2", write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id="kcg.gov.tw")


@pytest.fixture(params=["xml", "json"])
def georeport(request, open311, live_server):
    """georeport's client on our endpoint, once in XML and once in JSON."""
    return GeoReport(f"{live_server}/open311/v2", jurisdiction="kcg.gov.tw", output_format=request.param)


def test_georeport_lists_services_and_reads_a_definition(georeport):
    services = georeport.get_service_list()
    assert [service["service_code"] for service in services] == ["pothole", "petition_civil", "bulky_waste",
                                                                 "tip_line"]
    assert services[0]["metadata"] in (True, "true")
    definition = georeport.get_service_definition("pothole")
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if georeport.output_format == "xml" else attributes
    assert [attribute["code"] for attribute in attributes] == ["SAFETY", "SIZE", "LANES", "DEPTH", "SEEN", "PLATE",
                                                               "NOTES"]


def test_civicbot_files_a_request_with_attributes_and_reads_it_back(open311, civicbot, make_user):
    prepared = civicbot.create_request(
        "pothole", dry_run=False, confirm=CONFIRM_TOKEN, api_key=open311.key, validate_remote=True,
        lat=22.627278, lng=120.301435, address_string="高雄市苓雅區四維三路2號", description="路面有大坑洞",
        attributes={"SIZE": "large", "LANES": ["left", "right"], "DEPTH": "8"},
        first_name="小明", last_name="陳", email="chen@example.com")
    created, = prepared.response
    number = created["service_request_id"]
    case = db.session.scalar(sa.select(Case).where(Case.number == number))
    assert case.channel is Channel.OPEN311 and case.agency == open311.agency
    assert case.attributes == {"SIZE": "large", "LANES": ["left", "right"], "DEPTH": 8}
    staff = make_user(Role.AGENCY_STAFF, agency=open311.agency)
    assert case in db.session.scalars(filtered_cases(staff, {"open_only": True}, now=utcnow())).all()

    read = civicbot.get_request(number)
    assert (read["service_request_id"], read["status"], read["service_code"]) == (number, "open", "pothole")
    assert read.get("expected_datetime") == w3c(case.due_at)
    assert "chen@example.com" not in str(read) and "陳小明" not in str(read)
    assert [r["service_request_id"] for r in civicbot.list_requests(service_request_ids=[number])] == [number]


def test_civicbot_is_refused_a_request_without_a_required_attribute(open311, civicbot):
    with pytest.raises(HttpError) as refused:
        civicbot.create_request("pothole", dry_run=False, confirm=CONFIRM_TOKEN, api_key=open311.key,
                                address_string="高雄市", description="坑洞")
    assert refused.value.status == 400
    assert "attribute[SIZE] is required" in refused.value.body
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_georeport_reads_back_what_civicbot_filed(open311, civicbot, georeport):
    created, = civicbot.create_request("petition_civil", dry_run=False, confirm=CONFIRM_TOKEN, api_key=open311.key,
                                       address_string="高雄市前金區", description="里民活動中心漏水").response
    number = created["service_request_id"]
    request = georeport.get_service_request(number)
    assert (request["service_request_id"], request["status"]) == (number, "open")
    listed = georeport.get_service_requests(status="open")
    listed = [listed] if isinstance(listed, dict) else listed  # xmltodict: one element is not a list
    assert [item["service_request_id"] for item in listed] == [number]
