from datetime import datetime
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")


def taipei(*parts: int) -> datetime:
    """A wall-clock time in the city, e.g. taipei(2026, 11, 26, 23, 10)."""
    return datetime(*parts, tzinfo=TAIPEI)
