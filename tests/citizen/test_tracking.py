"""Tracking with number and private code; rating the answer; reopening it within the window."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.cases.models import CaseEvent, CaseStatus, SatisfactionResponse
from casehub.cases.queries import filtered_cases
from casehub.cases.services import perform_action
from casehub.extensions import db
from casehub.models import utcnow


def look_up(client, number, code):
    return client.post("/citizen/track", data={"number": number, "code": code})


def resolve(filed, *, reply="屋頂已修繕完成。", now=None):
    perform_action(filed.case, "resolve", actor=filed.staff, reply=reply, now=now or utcnow())
    db.session.commit()


def test_number_and_code_open_the_case_page(client, filed):
    response = look_up(client, filed.number, filed.code.lower())
    assert response.headers["Location"] == f"/citizen/track/{filed.number}"
    page = client.get(f"/citizen/track/{filed.number}").get_data(as_text=True)
    assert filed.number in page and "民政局" in page and 'id="timeline"' in page


def test_the_code_never_appears_in_a_url(client, filed):
    assert filed.code not in look_up(client, filed.number, filed.code).headers["Location"]


@pytest.mark.parametrize("which", ["wrong code", "wrong number"])
def test_a_wrong_number_or_code_gets_the_same_generic_answer(client, filed, which):
    number, code = (filed.number, "00000000") if which == "wrong code" else ("20990101-000001", filed.code)
    response = look_up(client, number, code)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "案件編號或查詢密碼不正確" in page or "The case number or the private code is not correct." in page
    assert client.get(f"/citizen/track/{filed.number}").status_code == 302  # still not shown


def without_csrf_tokens(page: str) -> str:
    """The page less its CSRF tokens, which carry the second they were signed in and so differ between requests."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)


def test_both_refusals_are_identical(client, filed):
    wrong_code = look_up(client, filed.number, "00000000")
    wrong_number = look_up(client, "20990101-000001", filed.code)
    assert wrong_code.status_code == wrong_number.status_code == 404
    assert (without_csrf_tokens(wrong_code.get_data(as_text=True)).replace(filed.number, "20990101-000001")
            == without_csrf_tokens(wrong_number.get_data(as_text=True)))


def test_look_ups_are_rate_limited_per_address(app, client, filed, monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "tracking", (3, 600))
    statuses = [look_up(client, filed.number, "00000000").status_code for _attempt in range(3)]
    assert statuses == [404, 404, 404]
    assert look_up(client, filed.number, filed.code).status_code == 429  # even the right code, until the window ends


def test_without_the_code_the_case_page_asks_for_it(client, filed):
    assert client.get(f"/citizen/track/{filed.number}").headers["Location"] == "/citizen/track"


def test_the_page_shows_steps_and_reply_but_no_personal_data_or_staff(client, filed):
    perform_action(filed.case, "note", actor=filed.staff, text="內部備註：請工務局支援")
    resolve(filed)
    look_up(client, filed.number, filed.code)
    page = client.get(f"/citizen/track/{filed.number}").get_data(as_text=True)
    assert "屋頂已修繕完成。" in page
    for hidden in ("王小美", "wang@example.com", "0912345678", "中正四路", "屋頂漏水", "承辦人林大同", filed.staff.username,
                   "內部備註"):
        assert hidden not in page


def test_rating_after_resolution(client, filed):
    look_up(client, filed.number, filed.code)
    assert client.post(f"/citizen/track/{filed.number}/rating", data={"score": "5"}).status_code == 409
    resolve(filed)
    response = client.post(f"/citizen/track/{filed.number}/rating", data={"score": "5", "comment": "謝謝，很快"})
    assert response.status_code == 302
    rating = db.session.scalar(sa.select(SatisfactionResponse))
    assert (rating.case_id, rating.score, rating.comment, rating.satisfied) == (filed.case.id, 5, "謝謝，很快", True)
    assert client.post(f"/citizen/track/{filed.number}/rating", data={"score": "1"}).status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(SatisfactionResponse.id))) == 1


@pytest.mark.parametrize("score", ["0", "6", "", "great"])
def test_a_score_must_be_1_to_5(client, filed, score):
    resolve(filed)
    look_up(client, filed.number, filed.code)
    assert client.post(f"/citizen/track/{filed.number}/rating", data={"score": score}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(SatisfactionResponse.id))) == 0


def test_an_unsatisfied_citizen_reopens_the_case_to_its_agency(client, filed):
    resolve(filed)
    look_up(client, filed.number, filed.code)
    client.post(f"/citizen/track/{filed.number}/rating", data={"score": "2"})
    assert "reopen-form" in client.get(f"/citizen/track/{filed.number}").get_data(as_text=True)
    response = client.post(f"/citizen/track/{filed.number}/reopen", data={"reason": "下雨還是漏水"})
    assert response.status_code == 302
    db.session.refresh(filed.case)
    assert filed.case.status is CaseStatus.ASSIGNED and filed.case.reopened_count == 1
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.type == "reopened"))
    assert event.actor_id is None and event.details["by"] == "citizen" and event.details["reason"] == "下雨還是漏水"
    inbox = db.session.scalars(filtered_cases(filed.staff, {"open_only": True}, now=utcnow())).all()
    assert inbox == [filed.case]
    assert "下雨還是漏水" in client.get(f"/citizen/track/{filed.number}").get_data(as_text=True)


def test_a_reopened_and_resolved_again_case_is_rated_anew(client, filed):
    resolve(filed)
    look_up(client, filed.number, filed.code)
    client.post(f"/citizen/track/{filed.number}/rating", data={"score": "1"})
    client.post(f"/citizen/track/{filed.number}/reopen", data={"reason": "沒修好"})
    resolve(filed, reply="已重新修繕")
    assert client.post(f"/citizen/track/{filed.number}/rating", data={"score": "4"}).status_code == 302
    assert db.session.scalars(sa.select(SatisfactionResponse.score).order_by(SatisfactionResponse.id)).all() == [1, 4]


def test_a_satisfied_citizen_cannot_reopen(client, filed):
    resolve(filed)
    look_up(client, filed.number, filed.code)
    client.post(f"/citizen/track/{filed.number}/rating", data={"score": "4"})
    assert "reopen-form" not in client.get(f"/citizen/track/{filed.number}").get_data(as_text=True)
    assert client.post(f"/citizen/track/{filed.number}/reopen", data={"reason": "x"}).status_code == 409
    db.session.refresh(filed.case)
    assert filed.case.status is CaseStatus.RESOLVED


def test_reopening_needs_a_reason(client, filed):
    resolve(filed)
    look_up(client, filed.number, filed.code)
    client.post(f"/citizen/track/{filed.number}/rating", data={"score": "1"})
    assert client.post(f"/citizen/track/{filed.number}/reopen", data={"reason": " "}).status_code == 422
    db.session.refresh(filed.case)
    assert filed.case.status is CaseStatus.RESOLVED


@pytest.mark.parametrize("window_days, resolved_days_ago, allowed", [(14, 13, True), (14, 15, False),
                                                                     (30, 20, True), (3, 4, False)])
def test_reopening_only_within_the_configured_window(app, client, filed, monkeypatch, window_days,
                                                     resolved_days_ago, allowed):
    monkeypatch.setitem(app.config, "REOPEN_WINDOW_DAYS", window_days)
    resolve(filed, now=utcnow() - timedelta(days=resolved_days_ago))
    look_up(client, filed.number, filed.code)
    client.post(f"/citizen/track/{filed.number}/rating", data={"score": "1"})
    response = client.post(f"/citizen/track/{filed.number}/reopen", data={"reason": "沒修好"})
    assert response.status_code == (302 if allowed else 409)
    db.session.refresh(filed.case)
    assert filed.case.status is (CaseStatus.ASSIGNED if allowed else CaseStatus.RESOLVED)


def test_a_closed_case_can_be_rated_and_reopened_too(client, filed, make_user):
    resolve(filed)
    perform_action(filed.case, "close", actor=make_user(Role.OPERATOR))
    db.session.commit()
    look_up(client, filed.number, filed.code)
    client.post(f"/citizen/track/{filed.number}/rating", data={"score": "3"})
    assert client.post(f"/citizen/track/{filed.number}/reopen", data={"reason": "沒修好"}).status_code == 302
