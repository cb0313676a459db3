"""Keyset paging: 'after this row' in any mix of directions, cutting a page, and the numbered top rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

from portal.core import keyset
from portal.core.keyset import Key

ROWS = [(1, "Anna", 1), (2, "Anna", 0), (3, "Berit", 1), (4, "Cecilia", 0), (5, "Berit", 0), (6, "Anna", 1)]


@pytest.fixture
def table() -> Iterator[tuple[Table, object]]:
    engine = create_engine("sqlite://")
    people = Table("people", MetaData(), Column("id", Integer, primary_key=True), Column("name", String),
                   Column("flag", Integer))
    people.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(people), [{"id": i, "name": n, "flag": f} for i, n, f in ROWS])
    yield people, engine
    engine.dispose()


def _pages(table: Table, engine: object, keys: list[Key], size: int) -> list[list[int]]:
    """Every page of the table in the keys' order, each found from the last row of the one before."""
    pages, start = [], None
    with engine.connect() as conn:  # type: ignore[attr-defined]
        while True:
            top = keyset.top(select(table.c.id), keys, start, size + 1)
            ids = [row.id for row in conn.execute(select(top.c.id).order_by(top.c.rank))]
            page = keyset.cut(ids, size, lambda row: row, start)
            pages.append(page.rows)
            if page.next_after is None:
                return pages
            last = conn.execute(select(*(key.column for key in keys)).where(table.c.id == page.next_after)).one()
            start = tuple(last)


def test_pages_in_mixed_directions_cover_every_row_once(table: tuple[Table, object]) -> None:
    people, engine = table
    keys = [Key(people.c.flag, descending=True), Key(people.c.name), Key(people.c.id)]
    assert _pages(people, engine, keys, 2) == [[1, 6], [3, 2], [5, 4]]
    assert _pages(people, engine, keys, 4) == [[1, 6, 3, 2], [5, 4]]
    assert _pages(people, engine, keys, 6) == [[1, 6, 3, 2, 5, 4]]


def test_newest_first_pages(table: tuple[Table, object]) -> None:
    people, engine = table
    assert _pages(people, engine, [Key(people.c.id, descending=True)], 4) == [[6, 5, 4, 3], [2, 1]]


def test_a_counted_top_knows_how_many_there_are_in_all(table: tuple[Table, object]) -> None:
    people, engine = table
    keys = [Key(people.c.name), Key(people.c.id)]
    top = keyset.top(select(people.c.id), keys, ("Anna", 2), 2, counted=True)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(select(top.c.id, top.c.total).order_by(top.c.rank)).all()
    assert rows == [(6, 6), (3, 6)]


def test_cut_says_whether_there_is_a_next_page() -> None:
    assert keyset.cut([1, 2, 3], 2, lambda row: row * 10) == keyset.Slice([1, 2], 20, None)
    assert keyset.cut([1, 2], 2, lambda row: row * 10, ("x",)) == keyset.Slice([1, 2], None, ("x",))
    assert keyset.cut([], 2, lambda row: row).further is False
    assert keyset.cut([], 2, lambda row: row, ("x",)).further is True
