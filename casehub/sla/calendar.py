"""Taiwan's business calendar: national working days from `holidays`, the city's exceptions, office hours.

National holidays, substitute days off and make-up working Saturdays (補班) come from the
`holidays` package (`is_working_day` knows the make-up Saturdays). On top of it the city
declares closures (typhoon days, whole or partial) and extra working days, kept as
CalendarException rows. A BusinessCalendar loads those rows once, so a computation that
walks many days makes one query, not one per day.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from flask import current_app

from casehub.extensions import db
from casehub.models import city_zone
from casehub.sla.models import CalendarException, CalendarExceptionKind

# A working-day deadline is at most 30 working days away; no real calendar has a year without one.
MAX_DAYS_SEARCHED = 366 * 3


@dataclass(frozen=True)
class OfficeHours:
    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> "OfficeHours":
        """`HH:MM-HH:MM`, opening before closing, e.g. the default "08:00-17:30"."""
        try:
            opens, closes = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError:
            raise ValueError(f"office hours {text!r} must look like 08:00-17:30") from None
        if opens >= closes:
            raise ValueError(f"office hours {text!r} must open before they close")
        return cls(opens, closes)

    @property
    def length(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)


@dataclass(frozen=True)
class DayException:
    """A CalendarException row, detached from the session."""

    day: date
    kind: CalendarExceptionKind
    reason: str
    closed_from: time | None = None
    closed_until: time | None = None

    @property
    def whole_day(self) -> bool:
        return self.closed_from is None


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is a working day, and why: `code` is stable, `name` the holiday or the city's reason."""

    day: date
    working: bool
    code: str
    name: str | None = None

    @property
    def reason(self) -> str:
        labels = {
            "working_day": "working day",
            "weekend": "weekend",
            "national_holiday": "national holiday: {name}",
            "make_up_working_day": "make-up working day counted",
            "closure": "closure declared: {name}",
            "partial_closure": "partial closure declared: {name}",
            "extra_working_day": "extra working day declared: {name}",
        }
        return labels[self.code].format(name=self.name)


@lru_cache(maxsize=None)
def national_holidays(year: int) -> holidays.HolidayBase:
    """Taiwan's national calendar around `year`; neighbouring years too, as a make-up day can cross New Year."""
    return holidays.country_holidays("TW", years=(year - 1, year, year + 1), language="zh_TW")


def national_day(day: date) -> DayInfo:
    """What the national calendar alone says about `day`."""
    national = national_holidays(day.year)
    if national.is_weekend(day):
        if national.is_working_day(day):
            return DayInfo(day, True, "make_up_working_day")
        return DayInfo(day, False, "national_holiday", national.get(day)) if day in national \
            else DayInfo(day, False, "weekend")
    if day in national:
        return DayInfo(day, False, "national_holiday", national.get(day))
    return DayInfo(day, True, "working_day")


def national_calendar(year: int) -> list[DayInfo]:
    """The year's national holidays and make-up working days, in date order (what managers check against)."""
    national = national_holidays(year)
    days = {day for day in [*national, *national.weekend_workdays] if day.year == year}
    return [national_day(day) for day in sorted(days)]


class BusinessCalendar:
    """Working days and office time in the city's time zone."""

    def __init__(self, *, zone: ZoneInfo, office_hours: OfficeHours, exceptions: Iterable[DayException] = ()):
        self.zone = zone
        self.office_hours = office_hours
        self.exceptions = {exception.day: exception for exception in exceptions}

    @classmethod
    def load(cls) -> "BusinessCalendar":
        """The calendar as configured, with every declared exception (one query)."""
        rows = db.session.scalars(sa.select(CalendarException)).all()
        return cls(
            zone=city_zone(),
            office_hours=OfficeHours.parse(current_app.config["OFFICE_HOURS"]),
            exceptions=[DayException(row.day, row.kind, row.reason, row.closed_from, row.closed_until)
                        for row in rows],
        )

    def describe(self, day: date) -> DayInfo:
        """Whether `day` is a working day, and why; the city's exceptions override the national calendar."""
        exception = self.exceptions.get(day)
        if exception is None:
            return national_day(day)
        if exception.kind is CalendarExceptionKind.WORKING_DAY:
            return DayInfo(day, True, "extra_working_day", exception.reason)
        if exception.whole_day:
            return DayInfo(day, False, "closure", exception.reason)
        national = national_day(day)
        if not national.working:
            return national  # a partial closure on a day off changes nothing
        # Offices open for part of the day: it still counts as a working day.
        return DayInfo(day, True, "partial_closure", exception.reason)

    def is_working_day(self, day: date) -> bool:
        return self.describe(day).working

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (the first day is not counted, as in law)."""
        return sum(self.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))

    def add_working_days(self, day: date, n: int) -> date:
        """The `n`th working day after `day` (before it when `n` is negative)."""
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        for _ in range(MAX_DAYS_SEARCHED):
            if remaining == 0:
                return day
            day += step
            remaining -= self.is_working_day(day)
        raise RuntimeError(f"no {n} working days found from {day}")

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def closing_time(self, day: date) -> datetime:
        """The end of office hours on `day`, as an aware UTC time."""
        return datetime.combine(day, self.office_hours.closes, self.zone).astimezone(timezone.utc)

    def open_at_closing_time(self, day: date) -> bool:
        """Whether a deadline may end on `day`: a working day whose offices are not closed at closing time."""
        info = self.describe(day)
        if info.code != "partial_closure":
            return info.working
        exception = self.exceptions[day]
        return not (exception.closed_from < self.office_hours.closes <= exception.closed_until)

    def office_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The local times offices are open on `day`: office hours minus a partial closure."""
        if not self.is_working_day(day):
            return []
        windows = [(self.office_hours.opens, self.office_hours.closes)]
        exception = self.exceptions.get(day)
        if exception is not None and exception.kind is CalendarExceptionKind.CLOSURE and not exception.whole_day:
            opens, closes = windows[0]
            windows = [(start, end) for start, end in ((opens, min(closes, exception.closed_from)),
                                                       (max(opens, exception.closed_until), closes)) if start < end]
        return [(datetime.combine(day, start, self.zone), datetime.combine(day, end, self.zone))
                for start, end in windows]

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time that passes between `start` and `end`."""
        total = timedelta()
        day = self.local(start).date()
        while day <= self.local(end).date():
            for window_start, window_end in self.office_windows(day):
                overlap = min(window_end, end) - max(window_start, start)
                total += max(overlap, timedelta())
            day += timedelta(days=1)
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of office time after `start` (UTC); a zero amount returns `start`."""
        if amount <= timedelta():
            return start
        remaining = amount
        day = self.local(start).date()
        for _ in range(MAX_DAYS_SEARCHED):
            for window_start, window_end in self.office_windows(day):
                begin = max(window_start, start)
                if begin >= window_end:
                    continue
                if remaining <= window_end - begin:
                    return (begin + remaining).astimezone(timezone.utc)
                remaining -= window_end - begin
            day += timedelta(days=1)
        raise RuntimeError(f"no office time found after {start}")
