"""The citizen's side of a case: finding it by number and private code, rating the answer, reopening it."""
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casehub.auth.models import hash_secret
from casehub.cases.models import Case, CaseEvent, CaseStatus, SatisfactionResponse
from casehub.cases.services import perform_citizen_action
from casehub.directory.models import Agency
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.masking import mask_text

ANSWERED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
# What the citizen sees of the event log: the steps of their case, never internal notes, transfers or staff.
CITIZEN_EVENTS = ("received", "assigned", "reassigned", "accepted", "info_requested", "resumed", "resolved",
                  "closed", "reopened", "cancelled", "merged")
# Compared against when the number is unknown, so that both refusals cost the same.
UNKNOWN_CASE_HASH = hash_secret("no such case")


def find_case_by_code(number: str, code: str) -> Case:
    """The case with this number if `code` is its private code; one refusal for a wrong number or a wrong code."""
    case = db.session.scalar(sa.select(Case).where(Case.number == number.strip()))
    expected = case.tracking_code_hash if case is not None and case.tracking_code_hash else UNKNOWN_CASE_HASH
    matches = hmac.compare_digest(hash_secret(code.strip().upper()), expected)
    if case is None or not matches:
        raise DomainError("wrong_number_or_code", N_("The case number or the private code is not correct."),
                          status=404)
    return case


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    type: str
    agency: Agency | None
    text: str | None


def citizen_timeline(case: Case) -> list[TimelineEntry]:
    """The case's steps as the citizen may see them: when, what, which agency and their own words, no staff."""
    events = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                           CaseEvent.type.in_(CITIZEN_EVENTS))
                                .order_by(CaseEvent.id)).all()
    codes = {event.details.get("agency") for event in events} - {None}
    agencies = {agency.code: agency for agency in db.session.scalars(sa.select(Agency).where(Agency.code.in_(codes)))}
    shown_text = {"resolved": "reply", "info_requested": "message", "reopened": "reason"}
    # Whoever holds the code sees the page, so its texts are masked; the citizen's own messages carry them whole.
    return [TimelineEntry(at=event.at, type=event.type, agency=agencies.get(event.details.get("agency")),
                          text=mask_text(event.details.get(shown_text.get(event.type, "")))) for event in events]


def current_rating(case: Case) -> SatisfactionResponse | None:
    """The citizen's rating of the current answer: one per resolution, so a case resolved again is rated anew."""
    if case.status not in ANSWERED_STATUSES or case.resolved_at is None:
        return None
    return db.session.scalar(sa.select(SatisfactionResponse).where(
        SatisfactionResponse.case_id == case.id, SatisfactionResponse.created_at >= case.resolved_at,
    ).order_by(SatisfactionResponse.id.desc()).limit(1))


def rate_case(case: Case, *, score: int, comment: str | None, now: datetime) -> SatisfactionResponse:
    """Record the citizen's 1-5 rating of the answer; 4 and 5 count as satisfied."""
    if case.status not in ANSWERED_STATUSES:
        raise DomainError("not_answered", N_("The case can be rated once it has been answered."), status=409)
    if current_rating(case) is not None:
        raise DomainError("already_rated", N_("You have already rated this answer."), status=409)
    if not 1 <= score <= 5:
        raise DomainError("validation_failed", "Some fields are invalid.", status=422,
                          fields={"score": [N_("Choose a score from 1 to 5.")]})
    rating = SatisfactionResponse(case_id=case.id, score=score, comment=comment or None, created_at=now)
    db.session.add(rating)
    db.session.flush()
    return rating


def reopen_deadline(case: Case) -> datetime | None:
    """Until when the citizen may reopen the answered case."""
    if case.status not in ANSWERED_STATUSES or case.resolved_at is None:
        return None
    return case.resolved_at + timedelta(days=current_app.config["REOPEN_WINDOW_DAYS"])


def may_reopen(case: Case, *, now: datetime) -> bool:
    """Answered, rated unsatisfied (1-3), and still within the reopening window."""
    rating = current_rating(case)
    deadline = reopen_deadline(case)
    return rating is not None and not rating.satisfied and deadline is not None and now <= deadline


def reopen_by_citizen(case: Case, *, reason: str, now: datetime) -> Case:
    """The unsatisfied citizen sends the case back to its agency, with a reason."""
    if not may_reopen(case, now=now):
        raise DomainError("reopen_not_allowed", N_(
            "This case can no longer be reopened here: rate the answer as unsatisfactory within the reopening "
            "window first, or call 1999."), status=409)
    return perform_citizen_action(case, "reopen", now=now, reason=reason)
