"""The SQL statements a test's requests send."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def sent(engine: Engine, request: Callable[[], object]) -> list[str]:
    """The statements a request sends the second time (the first warms what a process loads once); it answers 200."""
    request()
    with counting(engine) as statements:
        response = request()
    assert response.status_code == 200  # type: ignore[attr-defined]
    return statements
