"""The Alembic migrations build exactly the tables the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from portal import create_app, db


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                SQLModel.metadata)
    assert diff == []


def test_migrations_downgrade_and_upgrade_again(app: Flask, tmp_path) -> None:  # noqa: ANN001
    scratch = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}"})
    db.upgrade(scratch)
    assert "plan_item" in inspect(db.get_engine(scratch)).get_table_names()
    db.downgrade(scratch)
    assert inspect(db.get_engine(scratch)).get_table_names() == ["alembic_version"]
    db.upgrade(scratch)
    assert "access_event" in inspect(db.get_engine(scratch)).get_table_names()
    db.get_engine(scratch).dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
