"""GeoReport v2's two formats: schemaless XML (required by the spec) and its JSON mapping (Spark convention).

A response is built once as plain data (dicts, lists, strings, numbers, booleans, None) and rendered in the
format the URL asks for: in JSON, lists are top-level arrays and booleans real booleans; in XML, a list's
items are elements named by the singular of the list (services -> service), booleans are "true"/"false"
and None is an empty element.
"""
import json
import xml.etree.ElementTree as ET

from flask import Response

FORMATS = ("xml", "json")
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
ITEM_TAGS = {
    "services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
    "endpoints": "endpoint", "formats": "format", "errors": "error",
}


def _xml_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _to_element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            element.append(_to_element(key, inner))
    elif isinstance(value, list):
        for item in value:
            element.append(_to_element(ITEM_TAGS[tag], item))
    else:
        element.text = _xml_text(value)
    return element


def to_xml(root_tag: str, data) -> bytes:
    """The XML document for `data` under `root_tag`, with the UTF-8 declaration the spec requires."""
    body = ET.tostring(_to_element(root_tag, data), encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def render(fmt: str, root_tag: str, data, status: int = 200, headers: dict | None = None) -> Response:
    """`data` as an HTTP response in `fmt` ("xml" or "json")."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        response = Response(body, status=status, content_type=JSON_CONTENT_TYPE)
    else:
        response = Response(to_xml(root_tag, data), status=status, content_type=XML_CONTENT_TYPE)
    response.headers.update(headers or {})
    return response


def render_errors(fmt: str, status: int, descriptions, headers: dict | None = None) -> Response:
    """The spec's error array: one {code, description} per problem, the code being the HTTP status."""
    body = [{"code": status, "description": description} for description in descriptions]
    return render(fmt, "errors", body, status=status, headers=headers)
