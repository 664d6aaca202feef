"""Phone numbers: one parse for every door (operator console, JSON API, mayor's mailbox, Open311), one stored form.

A Taiwanese number is stored as the digits dialled inside Taiwan, leading 0 included (mobile `0912345678`,
landline `073368333`): what callers say, what the caller history is searched by, and what the SMS gateway
dials. Any other country's number is stored in E.164 (`+13125550199`), which the gateway dials as well.
An extension follows a `#` (`073368333#123`).
"""
import phonenumbers

DEFAULT_REGION = "TW"
TAIWAN = 886


class NotAPhoneNumber(ValueError):
    """The text cannot be read as anyone's phone number."""


def normalize_phone(value: str) -> str:
    """The stored form of `value`; raises NotAPhoneNumber when it is not a phone number.

    A Taiwanese number must be a real one (the right length for its prefix); a foreign number need only be
    possible for its country, so that a visitor's report is never refused over a number we cannot check.
    """
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise NotAPhoneNumber(value) from error
    if number.country_code == TAIWAN:
        if not phonenumbers.is_valid_number(number):
            raise NotAPhoneNumber(value)
        stored = "0" + str(number.national_number)
    else:
        if not phonenumbers.is_possible_number(number):
            raise NotAPhoneNumber(value)
        stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{stored}#{number.extension}" if number.extension else stored


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Where phone numbers stand in free text, Taiwanese (region TW) and international, as (start, end)."""
    return [(match.start, match.end) for match in
            phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=phonenumbers.Leniency.VALID)]
