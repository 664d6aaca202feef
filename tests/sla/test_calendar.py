"""Taiwan's business calendar: national holidays and make-up Saturdays from `holidays`, the city's exceptions."""
from datetime import date, time, timedelta

import pytest

from casehub.extensions import db
from casehub.sla.calendar import BusinessCalendar, DayException, OfficeHours
from casehub.sla.models import CalendarException, CalendarExceptionKind
from tests.sla import TAIPEI, taipei


def calendar(*exceptions: DayException) -> BusinessCalendar:
    return BusinessCalendar(zone=TAIPEI, office_hours=OfficeHours.parse("08:00-17:30"), exceptions=exceptions)


def test_national_holidays_weekends_and_make_up_saturdays():
    cal = calendar()
    assert cal.describe(date(2027, 2, 8)).reason == "national holiday: 春節"
    assert cal.describe(date(2026, 11, 28)).reason == "weekend"
    # 2025-02-08 was a Saturday worked to make up for the day off on 2025-01-27.
    assert cal.describe(date(2025, 2, 8)).code == "make_up_working_day"
    assert cal.is_working_day(date(2025, 2, 8))
    assert not cal.is_working_day(date(2025, 1, 27))
    assert cal.is_working_day(date(2026, 11, 26))


def test_city_exceptions_override_the_national_calendar():
    cal = calendar(
        DayException(date(2026, 7, 16), CalendarExceptionKind.CLOSURE, "颱風停止上班"),
        DayException(date(2026, 7, 18), CalendarExceptionKind.WORKING_DAY, "補行上班"),
        DayException(date(2026, 7, 21), CalendarExceptionKind.CLOSURE, "颱風下午停止上班", time(12), time(17, 30)),
    )
    assert cal.describe(date(2026, 7, 16)).reason == "closure declared: 颱風停止上班"
    assert cal.describe(date(2026, 7, 18)).working  # a Saturday made a working day
    assert cal.is_working_day(date(2026, 7, 21))  # open in the morning: still a working day
    assert not cal.open_at_closing_time(date(2026, 7, 21))
    assert cal.office_windows(date(2026, 7, 21)) == [(taipei(2026, 7, 21, 8), taipei(2026, 7, 21, 12))]


def test_working_days_between_and_add_working_days():
    cal = calendar()
    # Fri 2026-10-23 -> Tue 10-27: Sat weekend, Sun and Mon Retrocession Day (observed) skipped.
    assert cal.add_working_days(date(2026, 10, 23), 1) == date(2026, 10, 27)
    assert cal.add_working_days(date(2026, 10, 27), -1) == date(2026, 10, 23)
    assert cal.working_days_between(date(2026, 10, 23), date(2026, 11, 3)) == 6


def test_office_time_skips_nights_weekends_and_closures():
    cal = calendar(DayException(date(2026, 11, 30), CalendarExceptionKind.CLOSURE, "颱風停止上班"))
    # Fri 16:30 + 2 h of office time: 1 h on Friday, the closed Monday skipped, 1 h on Tuesday.
    assert cal.add_working_time(taipei(2026, 11, 27, 16, 30), timedelta(hours=2)) == taipei(2026, 12, 1, 9)
    assert cal.working_time_between(taipei(2026, 11, 27, 16, 30), taipei(2026, 12, 1, 9)) == timedelta(hours=2)


def test_exceptions_are_loaded_once_from_the_database(app):
    db.session.add(CalendarException(day=date(2026, 7, 16), kind=CalendarExceptionKind.CLOSURE, reason="颱風停止上班"))
    db.session.flush()
    cal = BusinessCalendar.load()
    assert cal.office_hours == OfficeHours(time(8), time(17, 30))
    assert not cal.is_working_day(date(2026, 7, 16))


@pytest.mark.parametrize("text", ["8-17", "17:30-08:00", "08:00"])
def test_bad_office_hours_are_refused(text):
    with pytest.raises(ValueError, match="office hours"):
        OfficeHours.parse(text)
