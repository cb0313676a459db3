"""Insert-or-update in one statement, on SQLite and PostgreSQL alike: "find or create" without a race.

Two requests that create the same record at once (two tabs, a poll and a page) would both find nothing and both
insert; the second then fails on the unique constraint. `INSERT … ON CONFLICT` lets the database decide instead.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert(session: Session, model: type) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for `model` that knows ON CONFLICT, in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)
