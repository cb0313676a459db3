"""Writes made at the commit (db.at_commit, db.insert_at_commit): with the transaction, or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlmodel import Session, create_engine

from portal import db

ROWS = Table("rows", MetaData(), Column("x", Integer))


@pytest.fixture
def session() -> Session:
    engine = create_engine("sqlite://")
    ROWS.metadata.create_all(engine)
    with Session(engine) as session:
        yield session


def _rows(session: Session) -> list[int]:
    return [x for (x,) in session.execute(text("SELECT x FROM rows ORDER BY x")).all()]


def test_writes_wait_for_the_commit_and_rows_go_in_together(session: Session) -> None:
    db.at_commit(session, lambda s: s.execute(ROWS.insert(), {"x": 1}))
    db.insert_at_commit(session, ROWS, {"x": 2})
    db.insert_at_commit(session, ROWS, {"x": 3})
    assert _rows(session) == []
    session.commit()
    assert _rows(session) == [1, 2, 3]


def test_a_rolled_back_transaction_writes_nothing_later(session: Session) -> None:
    db.insert_at_commit(session, ROWS, {"x": 1})
    session.rollback()
    session.commit()
    assert _rows(session) == []


def test_a_savepoint_rolled_back_keeps_what_the_request_noted_before(session: Session) -> None:
    db.insert_at_commit(session, ROWS, {"x": 1})
    savepoint = session.begin_nested()  # a race caught as registration does: the savepoint is undone
    session.execute(ROWS.insert(), {"x": 2})
    savepoint.rollback()
    session.commit()
    assert _rows(session) == [1]
