"""Opening cases: numbering, saving and the first event.

The lifecycle transitions (accept, resolve, transfer, ...) live in this module too, so that a
case's status changes in exactly one place.
"""
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from casehub.auth.models import User, hash_secret
from casehub.cases.models import Case, CaseEvent, CaseNumberCounter, CaseStatus, Channel
from casehub.directory.models import Category, District
from casehub.extensions import db
from casehub.models import utcnow


def next_case_number(day: date) -> str:
    """`YYYYMMDD-NNNNNN`: unique under concurrency (one atomic upsert), sortable by date."""
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = CaseNumberCounter.__table__
    stmt = (
        dialect_insert(table)
        .values(day=day, last_value=1)
        .on_conflict_do_update(index_elements=[table.c.day], set_={"last_value": table.c.last_value + 1})
        .returning(table.c.last_value)
    )
    sequence = db.session.execute(stmt).scalar_one()
    return f"{day:%Y%m%d}-{sequence:06d}"


def open_case(
    *, category: Category, channel: Channel, description: str, received_at: datetime | None = None,
    district: District | None = None, address: str | None = None, reporter: dict | None = None,
    created_by: User | None = None, now: datetime | None = None,
) -> tuple[Case, str]:
    """Number and save a new case, write its "received" event and assign it to the category's agency.

    Returns the case and its private tracking code, which is shown once and stored only hashed.
    """
    now = now or utcnow()
    received_at = received_at or now
    local_day = received_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    tracking_code = secrets.token_hex(4).upper()
    reporter = reporter or {}
    case = Case(
        number=next_case_number(local_day), tracking_code_hash=hash_secret(tracking_code),
        kind=category.kind, channel=channel, status=CaseStatus.RECEIVED, category=category,
        description=description, district=district, address=address, received_at=received_at,
        reporter_name=reporter.get("name"), reporter_phone=reporter.get("phone"),
        reporter_email=reporter.get("email"), reporter_anonymous=reporter.get("anonymous", False),
        created_by=created_by, created_at=now,
    )
    db.session.add(case)
    db.session.add(CaseEvent(case=case, at=now, actor=created_by, type="received",
                             to_status=CaseStatus.RECEIVED, details={"channel": channel.value}))
    case.status = CaseStatus.ASSIGNED
    case.agency = category.default_agency
    case.assigned_at = now
    db.session.add(CaseEvent(case=case, at=now, type="assigned", from_status=CaseStatus.RECEIVED,
                             to_status=CaseStatus.ASSIGNED,
                             details={"agency": category.default_agency.code, "reason": "category_default"}))
    db.session.flush()
    return case, tracking_code


def count_open_cases(stmt: sa.Select) -> sa.Select:
    return stmt.where(Case.status.in_([status for status in CaseStatus if status.is_open]))
