"""The shape of a category's Open311 attributes: the extra questions an app asks for a service."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casehub.errors import DomainError

OPEN311_DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")


class Open311ValueSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class Open311AttributeSchema(Schema):
    """One question, as GeoReport v2 describes it in a service definition."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$"))
    datatype = fields.String(required=True, validate=validate.OneOf(OPEN311_DATATYPES))
    required = fields.Boolean(load_default=False)
    variable = fields.Boolean(load_default=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    datatype_description = fields.String(load_default="", validate=validate.Length(max=200))
    order = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    values = fields.List(fields.Nested(Open311ValueSchema), load_default=list)

    @validates_schema
    def values_match_the_datatype(self, data, **_kwargs):
        if data["datatype"] in LIST_DATATYPES and not data["values"]:
            raise ValidationError("A list question needs at least one value.", "values")
        if data["datatype"] not in LIST_DATATYPES and data["values"]:
            raise ValidationError("Only list questions have values.", "values")
        keys = [value["key"] for value in data["values"]]
        if len(keys) != len(set(keys)):
            raise ValidationError("Value keys must be unique.", "values")


def _flatten(messages, path: str = ""):
    """Yield "1.values: message" lines from marshmallow's nested error dict (questions counted from 1)."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            name = str(key + 1) if isinstance(key, int) else ("" if key == "_schema" else key)
            yield from _flatten(inner, ".".join(part for part in (path, name) if part))
    else:
        for message in messages:
            yield f"{path}: {message}" if path else message


def load_open311_attributes(raw: object, *, field: str = "open311_attributes") -> list[dict]:
    """Validate a list of attribute definitions; return them ordered, or refuse naming each problem."""
    if not isinstance(raw, list):
        raise DomainError("invalid_open311_attributes", "Open311 attributes must be a list.", status=422,
                          fields={field: ["Must be a JSON list of questions, e.g. []."]})
    try:
        attributes = Open311AttributeSchema(many=True).load(raw)
    except ValidationError as error:
        raise DomainError("invalid_open311_attributes", "Some Open311 attributes are invalid.", status=422,
                          fields={field: list(_flatten(error.messages))}) from error
    codes = [attribute["code"] for attribute in attributes]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise DomainError("invalid_open311_attributes", "Open311 attribute codes must be unique.", status=422,
                          fields={field: [f"Codes used twice: {', '.join(duplicates)}."]})
    return sorted(attributes, key=lambda attribute: attribute["order"])
