"""What a clumsy client or an attacker sends: the values the fuzz harness puts in every parameter and field."""
import json

HUGE = "長" * 20_000

# Text values for query parameters, form fields and path segments (percent-encoded by the harness): the causes
# of the 500s seen are tried in every parameter, the rest are sampled.
CORE_TEXT = ["a\x00b", "2147483648", "9999-12-31", "0001-01-01T00:00:00"]
OTHER_TEXT = [
    "\x00", "-2147483649", "-1", "0", "99999999999999999999999", "1e309", "NaN", "-inf", "1899-12-31",
    "9999-12-31T23:59:59+08:00", "0001-01-01T00:00:00Z", "2026-13-45", "9999-12", "0000-00", "true", "[]", "{}",
    "😀\u202e", "<script>x</script>", "' OR 1=1 --", "../../etc/passwd", " ", HUGE,
]
TEXT = CORE_TEXT + OTHER_TEXT

# Raw query-string and path fragments that are not valid percent-encoded UTF-8.
RAW = ["%ff%fe", "%c3%28", "%ed%a0%80", "%zz", "%", "%0", "a%00b", "%00"]

# JSON values of every type for any field, and ones that are wrong for a string, number or object.
JSON_VALUES = [
    "x", "a\x00b", "", HUGE, 0, -1, 2**31, -(2**31) - 1, 2**63, 10**30, 1.5, 1e308, True, None, [], ["x"], {},
    {"x": 1}, "9999-12-31T23:59:59+08:00", "0001-01-01T00:00:00+08:00", "1899-12-31", "9999-12-31",
]


def deep_json(depth: int = 100_000) -> str:
    """A JSON document nested `depth` levels deep, under one object key."""
    return '{"a": ' + "[" * depth + "]" * depth + "}"


def json_body(value) -> str:
    return json.dumps(value, ensure_ascii=False)
