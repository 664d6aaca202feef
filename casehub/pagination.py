"""One way to cut a list into pages, for every list page (render it with the `pager` macro)."""
import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from casehub.extensions import db

DEFAULT_PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_number(self) -> int:
        """1-based position of the first item on this page (0 when there are none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def paginate(stmt: sa.Select, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """Run `stmt` (ordered by the caller) for one page; a page past the end shows the last one.

    A statement selecting one entity or column yields those values; several columns yield rows.
    """
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page = min(max(page, 1), max(1, math.ceil(total / per_page)))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = result.scalars().all() if len(stmt.column_descriptions) == 1 else result.all()
    return Page(items=items, page=page, per_page=per_page, total=total)


def requested_page() -> int:
    """The `page` query argument of the current request; 1 when missing or not a number."""
    return request.args.get("page", 1, type=int)
