"""Keyset paging: the next rows of a list start after the last row shown, found by its sort key (never OFFSET), so
the hundredth page costs what the first does. The cursor in an address is only the last row's id; the list's own
service looks up that row's key, among the rows this person may see, and starts after it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, or_, select

T = TypeVar("T")


@dataclass(frozen=True)
class Key:
    """One column of a list's order, and its direction."""

    column: Any
    descending: bool = False

    def ordered(self) -> Any:
        return self.column.desc() if self.descending else self.column.asc()


def order_by(keys: Sequence[Key]) -> list[Any]:
    return [key.ordered() for key in keys]


def after(keys: Sequence[Key], values: Sequence[object]) -> ColumnElement[bool]:
    """Rows that come after the row with these key values: (a, b) after (x, y) = a beyond x, or a = x and b beyond y."""
    steps = []
    for place, key in enumerate(keys):
        equal = [earlier.column == value for earlier, value in zip(keys[:place], values[:place], strict=True)]
        beyond = key.column < values[place] if key.descending else key.column > values[place]
        steps.append(and_(*equal, beyond))
    return or_(*steps)


def top(candidates: Select, keys: Sequence[Key], start: Sequence[object] | None, limit: int,
        counted: bool = False) -> Subquery:
    """The first `limit` candidates after `start` in the keys' order, numbered in `rank` (and, if `counted`, with
    `total`: how many candidates there are in all, before and after), as a subquery: the order is found from the
    candidates alone, and what the page shows (plans, patients) is then joined to these rows only."""
    if counted:
        every = candidates.add_columns(*(key.column.label(f"key_{n}") for n, key in enumerate(keys)),
                                       func.count().over().label("total")).subquery("candidate")
        keys = [Key(every.c[f"key_{n}"], key.descending) for n, key in enumerate(keys)]
        candidates = select(every)
    ordered = order_by(keys)
    query = candidates.add_columns(func.row_number().over(order_by=ordered).label("rank"))
    if start is not None:
        query = query.where(after(keys, start))
    return query.order_by(*ordered).limit(limit).subquery("top")


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page of a list, the cursor for the next page (None on the last one), and the key it started after (None
    on the first page)."""

    rows: list[T]
    next_after: int | None = None
    start: tuple[Any, ...] | None = None

    @property
    def further(self) -> bool:
        """A later page (the list goes on above it)."""
        return self.start is not None


def cut(rows: list[T], size: int, cursor_of: Any, start: tuple[Any, ...] | None = None) -> Slice[T]:
    """The first `size` of `size + 1` fetched rows; the extra row only tells that there is a next page."""
    shown = rows[:size]
    return Slice(shown, cursor_of(shown[-1]) if len(rows) > size and shown else None, start)
