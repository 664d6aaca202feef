"""`flask casehub ...` commands: good input works, bad input exits non-zero and changes nothing."""
import sqlalchemy as sa

from casehub.auth.models import User
from casehub.extensions import db


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_create_user_with_agency(app, make_agency):
    agency = make_agency(code="PWB")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=[
        "casehub", "create-user", "--username", "chen", "--role", "agency_staff", "--agency", "PWB",
        "--password", "a-long-enough-secret"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "chen"))
    assert user.agency_id == agency.id and user.check_password("a-long-enough-secret")


def test_create_user_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["casehub", "create-user", "--username", "wang", "--role", "manager"],
        input="a-long-enough-secret\na-long-enough-secret\n")
    assert result.exit_code == 0, result.output
    assert _users() == 1


def test_create_user_refuses_bad_input_and_saves_nothing(app, make_agency):
    make_agency(code="PWB")
    db.session.commit()
    cases = [
        (["--role", "janitor"], "Unknown role 'janitor'"),
        (["--role", "agency_staff", "--agency", "NOPE"], "Unknown agency 'NOPE'"),
        (["--role", "agency_staff"], "needs an agency"),
        (["--role", "operator", "--password", "short"], "at least 10 characters"),
    ]
    for extra, message in cases:
        args = ["casehub", "create-user", "--username", "lee"] + extra
        if "--password" not in extra:
            args += ["--password", "a-long-enough-secret"]
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1, extra
        assert message in result.output, result.output
    assert _users() == 0


def test_create_user_refuses_a_duplicate_username(app, make_user):
    make_user(username="lee")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=[
        "casehub", "create-user", "--username", "lee", "--role", "operator", "--password", "a-long-enough-secret"])
    assert result.exit_code == 1 and "is taken" in result.output
    assert _users() == 1


def test_create_token_prints_a_working_token_once(app, client, make_user):
    user = make_user(username="api-user")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["casehub", "create-token", "api-user"])
    assert result.exit_code == 0
    token = result.output.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json["username"] == user.username


def test_create_token_for_unknown_user_fails(app):
    result = app.test_cli_runner().invoke(args=["casehub", "create-token", "ghost"])
    assert result.exit_code == 1 and "No user named 'ghost'" in result.output
