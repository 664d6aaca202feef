import sqlalchemy as sa

from casehub.directory.models import Agency
from casehub.pagination import paginate


def test_paginate_counts_and_cuts_pages(app, make_agency):
    for n in range(7):
        make_agency(code=f"P{n}")
    stmt = sa.select(Agency).order_by(Agency.code)
    page = paginate(stmt, page=2, per_page=3)
    assert [agency.code for agency in page.items] == ["P3", "P4", "P5"]
    assert (page.total, page.pages, page.has_prev, page.has_next) == (7, 3, True, True)
    assert (page.first_number, page.last_number) == (4, 6)


def test_a_page_past_the_end_shows_the_last_page_and_nonsense_the_first(app, make_agency):
    for n in range(4):
        make_agency(code=f"P{n}")
    stmt = sa.select(Agency).order_by(Agency.code)
    assert paginate(stmt, page=99, per_page=3).page == 2
    assert paginate(stmt, page=-1, per_page=3).page == 1


def test_an_empty_list_is_one_empty_page(app):
    page = paginate(sa.select(Agency), page=1)
    assert (page.items, page.total, page.pages, page.has_next, page.first_number) == ([], 0, 1, False, 0)


def test_several_columns_come_back_as_rows(app, make_agency):
    make_agency(code="ROWS", name_zh="列")
    page = paginate(sa.select(Agency.code, Agency.name_zh))
    assert [tuple(row) for row in page.items] == [("ROWS", "列")]
