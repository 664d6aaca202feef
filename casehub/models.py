"""Declarative base, constraint naming convention and shared column types."""
import enum
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def city_zone() -> ZoneInfo:
    """The city's time zone (TIMEZONE): days, office hours and the times people read are in it."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def within_city_days(column, from_day: date | None, to_day: date | None) -> list:
    """Conditions keeping `column` within the city's calendar days from_day to to_day, both included."""
    zone = city_zone()
    conditions = []
    if from_day:
        conditions.append(column >= datetime.combine(from_day, time(), zone))
    if to_day:
        conditions.append(column < datetime.combine(to_day + timedelta(days=1), time(), zone))
    return conditions


class UTCDateTime(sa.TypeDecorator):
    """An aware datetime stored in UTC; SQLite keeps no offset, so we strip and restore it."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; CaseHub stores aware datetimes only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enum_column(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing the member values."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), dict: sa.JSON(), list: sa.JSON()},
    )


class AppendOnly:
    """Mixin for audit records: rows may be added, never changed or deleted through the ORM."""


class AppendOnlyViolation(Exception):
    pass


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _refuse_changes_to_append_only_rows(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AppendOnly) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(f"{type(obj).__name__} rows are append-only")
