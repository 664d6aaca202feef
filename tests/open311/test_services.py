"""Discovery, the service list and service definitions, in XML and JSON, with the spec's errors."""
import xml.etree.ElementTree as ET

import pytest

V2 = "/open311/v2"


def xml_of(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def test_discovery_names_the_v2_endpoint_and_both_formats(client, open311):
    document = client.get(f"{V2}/discovery.json").get_json()
    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint, = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml_of(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_the_root_leads_to_discovery(client, open311):
    assert client.get(f"{V2}/").headers["Location"].endswith("/open311/v2/discovery.xml")


def test_service_list_in_json_is_a_top_level_array_of_public_services(client, open311):
    response = client.get(f"{V2}/services.json")
    assert response.content_type == "application/json; charset=utf-8"
    services = response.get_json()
    assert [s["service_code"] for s in services] == ["pothole", "petition_civil", "bulky_waste", "tip_line"]
    pothole = services[0]
    assert pothole == {"service_code": "pothole", "service_name": "市區道路坑洞處理", "description": "路面坑洞",
                       "metadata": True, "type": "realtime", "keywords": "坑洞, pothole", "group": "道路 / Roads"}
    assert services[1]["metadata"] is False
    assert [s["type"] for s in services[2:]] == ["batch", "blackbox"]


def test_service_list_in_xml(client, open311):
    root = xml_of(client.get(f"{V2}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert [child.tag for child in first] == ["service_code", "service_name", "description", "metadata", "type",
                                              "keywords", "group"]
    assert first.findtext("metadata") == "true"
    assert root.findall("service")[1].findtext("metadata") == "false"


def test_service_definition_has_every_datatype_ordered_with_values_for_lists(client, open311):
    definition = client.get(f"{V2}/services/pothole.json").get_json()
    assert definition["service_code"] == "pothole"
    attributes = definition["attributes"]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5, 6, 7]
    assert {a["datatype"] for a in attributes} == {"string", "number", "datetime", "text", "singlevaluelist",
                                                   "multivaluelist"}
    safety, size = attributes[0], attributes[1]
    assert safety["variable"] is False and "values" not in safety
    assert size == {"variable": True, "code": "SIZE", "datatype": "singlevaluelist", "required": True,
                    "datatype_description": None, "order": 2, "description": "How large is the hole?",
                    "values": [{"key": "small", "name": "Smaller than a hand"},
                               {"key": "large", "name": "Larger than a tyre"}]}
    assert attributes[3]["datatype_description"] == "A number, e.g. 12.5"


def test_service_definition_in_xml(client, open311):
    root = xml_of(client.get(f"{V2}/services/pothole.xml"))
    assert root.tag == "service_definition"
    size = root.findall("attributes/attribute")[1]
    assert [child.tag for child in size] == ["variable", "code", "datatype", "required", "datatype_description",
                                             "order", "description", "values"]
    assert size.findtext("required") == "true"
    assert [v.findtext("key") for v in size.findall("values/value")] == ["small", "large"]


def test_older_clients_read_a_definition_from_service_singular(client, open311):
    assert client.get(f"{V2}/service/pothole.json").get_json() == client.get(f"{V2}/services/pothole.json").get_json()
    assert xml_of(client.get(f"{V2}/service/pothole.xml")).tag == "service_definition"


def test_a_service_without_questions_has_an_empty_definition(client, open311):
    assert client.get(f"{V2}/services/petition_civil.json").get_json() == {"service_code": "petition_civil",
                                                                           "attributes": []}


@pytest.mark.parametrize("code", ["nope", "petition_complex"])
def test_unknown_or_hidden_service_is_404_in_the_spec_error_format(client, open311, code):
    response = client.get(f"{V2}/services/{code}.json")
    assert response.status_code == 404
    assert response.get_json() == [{"code": 404, "description": f"service_code '{code}' was not found."}]
    root = xml_of(client.get(f"{V2}/services/{code}.xml"))
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_an_unknown_format_is_404_in_xml(client, open311):
    response = client.get(f"{V2}/services.csv")
    assert response.status_code == 404
    assert xml_of(response).findtext("error/description") == "Format 'csv' is not offered: use xml or json."


def test_empty_jurisdiction_id_is_treated_as_absent(client, open311):
    assert client.get(f"{V2}/services.json?jurisdiction_id=").status_code == 200
    assert client.get(f"{V2}/services.json?jurisdiction_id=kcg.gov.tw").status_code == 200


def test_another_jurisdiction_is_404(client, open311):
    response = client.get(f"{V2}/services.xml?jurisdiction_id=sfgov.org")
    assert response.status_code == 404
    assert xml_of(response).findtext("error/description") == "jurisdiction_id 'sfgov.org' was not found."
