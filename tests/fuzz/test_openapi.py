"""The OpenAPI document is valid OpenAPI 3.0 and documents the error envelope for each error it lists."""
from openapi_spec_validator import validate

from casehub.api.docs import build_spec


def test_the_openapi_document_is_valid(app):
    with app.test_request_context():
        document = build_spec()
    validate(document)
    lat = document["components"]["schemas"]["CaseCreate"]["properties"]["lat"]
    assert (lat["minimum"], lat["maximum"]) == (-90, 90)


def test_every_documented_error_carries_the_error_envelope(app):
    with app.test_request_context():
        document = build_spec()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"400", "401"} <= statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
