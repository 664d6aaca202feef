"""Input no feature can read or store, refused before any view runs, and the bounds every parser keeps.

PostgreSQL text cannot hold a NUL character, bytes that are not UTF-8 have no meaning, a `%` not followed by two
hex digits is not percent-encoding, JSON nested deeper than any document we accept is an attack on the parser,
an id beyond PostgreSQL's integer range is no row's id, and a year outside 1900-2100 is a typing error that
date arithmetic cannot carry. Each is a 400 (ids: 404, dates: a field error) in the endpoint's own format,
because the refusal is a DomainError that every feature's error handler already renders.
"""
import re
from datetime import date
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from marshmallow import ValidationError
from werkzeug.routing import IntegerConverter

from casehub.errors import N_, DomainError

ID_MAX = 2**31 - 1  # PostgreSQL's integer
FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_JSON_DEPTH = 32
MALFORMED_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")

NUL = N_("Must not contain a NUL character.")
NOT_UTF8 = N_("Is not valid UTF-8.")
BAD_PERCENT = N_("Has a '%' that is not followed by two hexadecimal digits.")
TOO_DEEP = N_("Is nested more than 32 levels deep.")
BAD_YEAR = N_("The year must be between 1900 and 2100.")


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` ids within PostgreSQL's integer range: any other number matches no route, so it is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = ID_MAX,
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a document too deeply nested to parse is a decoding error (a 400), not a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


def plausible_year(value: date) -> None:
    """marshmallow validator for dates and date-times: only years 1900-2100 (later arithmetic stays in range)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(BAD_YEAR)


def refuse_unreadable_input() -> None:
    """Before every request: refuse NUL characters, invalid UTF-8, malformed percent-encoding and deep JSON."""
    problems: dict[str, list[str]] = {}
    path = request.environ.get("PATH_INFO", "").encode("latin-1", "replace")
    _check_text(problems, "path", path)
    _check_encoded(problems, "query", request.query_string)
    if request.mimetype == "application/x-www-form-urlencoded":
        _check_encoded(problems, "body", request.get_data(cache=True))
    elif request.mimetype == "multipart/form-data":
        for name, value in request.form.items(multi=True):
            _check_string(problems, name, name)
            _check_string(problems, name, value)
    elif request.is_json and request.content_length:
        _check_json(problems, request.get_json(silent=True))
    if problems:
        raise DomainError("unreadable_input", N_("The request contains characters or nesting that cannot be read."),
                          status=400, fields=problems)


def _add(problems: dict, name: str, message: str) -> None:
    name = name.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if message not in problems.setdefault(name, []):
        problems[name].append(message)


def _check_text(problems: dict, name: str, raw: bytes) -> None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _add(problems, name, NOT_UTF8)
        return
    if "\x00" in text:
        _add(problems, name, NUL)


def _check_encoded(problems: dict, part: str, raw: bytes) -> None:
    """A query string or form body: every name and value percent-decodes to UTF-8 text without NUL."""
    if MALFORMED_PERCENT.search(raw):
        _add(problems, part, BAD_PERCENT)
    for pair in raw.split(b"&"):
        key, _equals, value = (unquote_to_bytes(part.replace(b"+", b" ")) for part in pair.partition(b"="))
        name = key.decode("utf-8", "replace")
        _check_text(problems, name, key)
        _check_text(problems, name, value)


def _check_json(problems: dict, document) -> None:
    """Every key and string of a parsed JSON body, walked without recursion: no NUL, no lone surrogate, not deep."""
    pending = [(document, "body", 1)]
    while pending:
        value, name, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            _add(problems, name, TOO_DEEP)
            return
        if isinstance(value, dict):
            for key, inner in value.items():
                inner_name = key if depth == 1 else name
                _check_string(problems, inner_name, key)
                pending.append((inner, inner_name, depth + 1))
        elif isinstance(value, list):
            pending.extend((inner, name, depth + 1) for inner in value)
        elif isinstance(value, str):
            _check_string(problems, name, value)


def _check_string(problems: dict, name: str, value: str) -> None:
    if "\x00" in value:
        _add(problems, name, NUL)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _add(problems, name, NOT_UTF8)


def register_input_checks(app: Flask) -> None:
    """Bounded ids in URLs, JSON that cannot overflow the stack, and the check above before any other hook."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(refuse_unreadable_input)
