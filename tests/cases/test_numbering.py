from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

from casehub.cases.services import next_case_number
from casehub.extensions import db


def test_case_numbers_are_dated_and_sequential(app, make_case):
    first = make_case(received_at=datetime(2026, 11, 26, 15, 30, tzinfo=timezone.utc))  # 23:30 in Taipei
    second = make_case(received_at=datetime(2026, 11, 26, 16, 30, tzinfo=timezone.utc))  # 00:30 next day
    third = make_case(received_at=datetime(2026, 11, 26, 15, 45, tzinfo=timezone.utc))
    assert first.number == "20261126-000001"
    assert second.number == "20261127-000001"
    assert third.number == "20261126-000002"
    assert sorted([third.number, second.number, first.number]) == [first.number, third.number, second.number]


def test_case_numbers_are_unique_under_concurrency(app):
    def take_numbers(_worker: int) -> list[str]:
        with app.app_context():
            numbers = []
            for _ in range(25):
                numbers.append(next_case_number(date(2026, 11, 26)))
                db.session.commit()
            return numbers

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = [n for batch in pool.map(take_numbers, range(8)) for n in batch]
    assert len(numbers) == len(set(numbers)) == 200
    assert max(numbers) == "20261126-000200"
