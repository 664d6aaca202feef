"""The calls report reproduces the annual report's call-centre figures from a generated year of imported calls.

Kaohsiung's report for 2022 (111年): 852,101 calls, 71,008 a month on average; consultations 33.74% of
the calls and answered at once 99.97% of the time; recorded and forwarded cases 37.22%; callers
satisfied 97.64%. It also gives "other" as 32.73%, but the three shares it prints add up to 103.69%,
so they cannot all be shares of one total of calls that each have one outcome: in the generated year
"other" is the rest, 29.04%.
"""
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from casehub.auth.models import Role
from casehub.extensions import db
from casehub.intake.models import Call
from casehub.reports.importer import CALL_COLUMNS

TOTAL = 852_101
CONSULTATIONS = round(TOTAL * 0.3374)
CASES = round(TOTAL * 0.3722)
ANSWERED_AT_ONCE = round(CONSULTATIONS * 0.9997)
SURVEYED, SATISFIED = 10_000, 9_764


def generate_year(path) -> None:
    """852,101 calls spread over 2022 in the city's time, with the report's proportions (shuffled)."""
    rng = random.Random(111)
    outcomes = ["consultation"] * CONSULTATIONS + ["case"] * CASES + ["other"] * (TOTAL - CONSULTATIONS - CASES)
    rng.shuffle(outcomes)
    answered = set(rng.sample([n for n, outcome in enumerate(outcomes) if outcome == "consultation"],
                              ANSWERED_AT_ONCE))
    surveyed = rng.sample(range(TOTAL), SURVEYED)
    satisfaction = dict.fromkeys(surveyed[:SATISFIED], "yes") | dict.fromkeys(surveyed[SATISFIED:], "no")
    start, seconds = datetime(2022, 1, 1), 365 * 24 * 3600
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(CALL_COLUMNS) + "\n")
        for n, outcome in enumerate(outcomes):
            began = start + timedelta(seconds=n * seconds // TOTAL)
            answered_flag = ("yes" if n in answered else "no") if outcome == "consultation" else ""
            out.write(f"{began:%Y-%m-%d %H:%M:%S},{began + timedelta(seconds=180):%Y-%m-%d %H:%M:%S},{outcome},"
                      f"{answered_flag},{satisfaction.get(n, '')}\n")


def test_a_generated_year_of_calls_shows_the_annual_report_back(app, client, login, make_user, tmp_path):
    path = tmp_path / "calls-2022.csv"
    generate_year(path)
    result = app.test_cli_runner().invoke(args=["casehub", "import", "calls", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Imported {TOTAL:,} calls" in result.output and "Roll-up of 2022-01-01 to" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == TOTAL

    manager = make_user(Role.MANAGER)
    db.session.commit()
    login(manager)
    report = client.get("/api/v1/reports/calls?from=2022-01-01&to=2022-12-31").get_json()
    assert report["total"] == 852_101
    assert report["monthly_average"] == 71_008
    assert report["shares"]["consultation"] == 33.74
    assert report["shares"]["case"] == 37.22
    assert report["shares"]["other"] == 29.04  # the rest: see the module's docstring
    assert report["answered_immediately_rate"] == 99.97
    assert report["satisfaction_rate"] == 97.64
    page = client.get("/reports/calls?from=2022-01-01&to=2022-12-31").get_data(as_text=True)
    assert "852,101" in page and "71,008" in page and "33.74%" in page and "37.22%" in page
