"""Personal data masked for readers who may not see it: in the reporter's fields and inside free text.

Pure functions of text (no database, no Flask), used wherever personal data reaches someone without the right
to it: lists, case pages and the case API for roles without it, the sent-mail page, the calls API, Open311.

Free text (descriptions, replies, notes, message bodies) loses, each replaced by `***`:
- phone numbers, Taiwanese in every common form (`0912-345-678`, `+886 912 345 678`, `(07)336-8333`,
  `07-3368333#123`) and international ones (`+1 312 555 0199`), extensions included;
- national ID and resident certificate numbers (`A123456789`, new `A800000014`, old `AB12345678`);
- e-mail addresses;
- lanes, alleys, house numbers and floors in Arabic or Chinese numerals, full- or half-width
  (`100巷`, `１００號`, `一百號五樓`, `3樓之2`, `5F`).
A public location keeps its road and section (`九如一路`, `中山二路二段`) and drops everything after:
lane and alley too, since with the road they narrow a place down to a few houses.
Full-width characters are read as their half-width forms; the text keeps its own characters otherwise.
"""
import re
import unicodedata

from casehub.phones import phone_spans

MASK = "***"
CHINESE_NUMERALS = "零〇一二兩三四五六七八九十百千"
_NUMBER = rf"(?:[0-9]+|[{CHINESE_NUMERALS}]+)"
# One lane, alley, house number or floor; several in a row ("100巷5號3樓之2") are masked as one.
_HOUSE_PART = (
    rf"(?:{_NUMBER}[巷弄]"
    rf"|{_NUMBER}(?:[-之]{_NUMBER})?號(?:之{_NUMBER})?"
    rf"|(?:地下)?{_NUMBER}樓(?:之{_NUMBER})?"
    rf"|(?<![A-Za-z0-9])[Bb]?[0-9]+[Ff](?:-[0-9]+)?(?![A-Za-z]))"
)
HOUSE_NUMBER = re.compile(rf"{_HOUSE_PART}(?:[\s,、]*{_HOUSE_PART})*")
# In an address field, a bare number after the road is a house number too ("九如一路100"); "2段", "中山2路" are not.
BARE_NUMBER = re.compile(r"(?<![0-9])[0-9]+(?![0-9])(?!\s*(?:段|路|街|大道))")
PERSONAL_ID = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][12ABCDabcd89][0-9]{8}(?![A-Za-z0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# What the phone-number library leaves: numbers of no valid range written as Taiwanese ones (mobile groups,
# landlines with an area code), and any digits announced as a phone number.
TAIWAN_SHAPED_PHONE = re.compile(
    r"(?<![0-9])(?:\+?886[\s-]?\(?0?|\(?0)[1-9]\)?(?:[\s.-]?[0-9]){7,8}(?![0-9])")
ANNOUNCED_PHONE = re.compile(
    r"(?:電話|手機|市話|行動|聯絡|tel|phone|mobile|fax|傳真)[\s:：]*(\+?[0-9][0-9\s().-]{5,}[0-9])",
    re.IGNORECASE)
EXTENSION = re.compile(r"\s*(?:#|分機|轉|ext\.?|x)\s*[0-9]{1,6}", re.IGNORECASE)


def _folded(text: str) -> str:
    """Full-width digits, letters and signs as half-width, one character for one (so positions stay the same)."""
    return "".join(folded if len(folded := unicodedata.normalize("NFKC", char)) == 1 else char for char in text)


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = phone_spans(text)
    spans += [match.span() for match in TAIWAN_SHAPED_PHONE.finditer(text)]
    spans += [match.span(1) for match in ANNOUNCED_PHONE.finditer(text)]
    with_extensions = []
    for start, end in spans:
        extension = EXTENSION.match(text, end)
        with_extensions.append((start, extension.end() if extension else end))
    return with_extensions


def personal_data_spans(text: str) -> list[tuple[int, int]]:
    """Where phone numbers, ID numbers, e-mail addresses and house numbers stand in `text`, merged, in order."""
    folded = _folded(text)
    spans = _phone_spans(folded)
    for pattern in (PERSONAL_ID, EMAIL, HOUSE_NUMBER):
        spans += [match.span() for match in pattern.finditer(folded)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_text(text: str | None) -> str | None:
    """Free text with every phone number, ID number, e-mail address and house number replaced by ***."""
    if not text:
        return text
    parts, position = [], 0
    for start, end in personal_data_spans(text):
        parts += [text[position:start], MASK]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def mask_secret(text: str | None, secret: str | None) -> str | None:
    """`text` without `secret` (a tracking code a message carried, say)."""
    if not text or not secret:
        return text
    return text.replace(secret, MASK)


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str | None:
    """A stored number with its middle hidden: 0912***678."""
    if not phone:
        return phone
    number = phone.partition("#")[0]
    return number[:4] + "*" * max(len(number) - 7, 3) + number[-3:]


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, _at, domain = email.partition("@")
    return f"{local[0]}***@{domain}"


def mask_address(address: str | None) -> str | None:
    """The public location: city, district, road and section; lane, alley, number and floor become ***."""
    if not address:
        return address
    folded = _folded(address)
    cuts = [start for start, _end in personal_data_spans(address)[:1]]
    cuts += [match.start() for match in [BARE_NUMBER.search(folded)] if match]
    if not cuts:
        return address
    return address[:min(cuts)].rstrip(" ,、，") + MASK
