"""One engine per app and one unit of work per request.

The request's session is committed once, after the view has answered with anything but a server error, and rolled
back otherwise. Nothing else commits during a request: services and the access log only add to the session, so a
change and its access-log event are saved together or not at all.

Writes that only record that something was seen (the access log, a visit, a read mark) are handed to `at_commit`:
they run in the same transaction, just before it commits. SQLite has one write lock per database, taken by a
transaction's first write and kept until its commit; written last, these take it for the commit alone instead of
for the drawing of the whole page, so that two workers showing pages do not wait for each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, Response, current_app, g
from flask.cli import AppGroup
from sqlalchemy import Table, event, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """WAL for concurrent readers, enforced foreign keys, wait instead of failing on locks."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


_AT_COMMIT, _ROWS_AT_COMMIT = "at_commit", "rows_at_commit"


def at_commit(session: Session, write: Callable[[Session], object]) -> None:
    """Run `write(session)` in this transaction just before it commits; never, if it is rolled back.

    Only for writes that nothing in the same request reads back (see the module's docstring)."""
    _in_transaction(session).info.setdefault(_AT_COMMIT, []).append(write)


def insert_at_commit(session: Session, table: Table, row: dict[str, object]) -> None:
    """Insert `row` into `table` just before this transaction commits (as `at_commit`), with the other rows for the
    same table in one statement (a list page logs each patient it shows)."""
    _in_transaction(session).info.setdefault(_ROWS_AT_COMMIT, {}).setdefault(table, []).append(row)


def _in_transaction(session: Session) -> Session:
    """The writes belong to a transaction: one is begun if none is yet, so that a rollback forgets them."""
    if not session.in_transaction():
        session.begin()
    return session


@event.listens_for(OrmSession, "before_commit")
def _write_at_commit(session: OrmSession) -> None:
    for write in session.info.pop(_AT_COMMIT, []):
        write(session)  # type: ignore[arg-type]
    for table, rows in session.info.pop(_ROWS_AT_COMMIT, {}).items():
        session.connection().execute(insert(table), rows)  # Core: no ORM bulk-insert handling


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_at_commit(session: OrmSession, previous: SessionTransaction) -> None:
    """The transaction is rolled back: its writes are forgotten. Not when only a savepoint inside it is (a race
    caught by `begin_nested`): what the request noted before stays to be written."""
    if previous.parent is None:
        session.info.pop(_AT_COMMIT, None)
        session.info.pop(_ROWS_AT_COMMIT, None)


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["db_engine"]


def get_session() -> Session:
    """The request's database session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def rollback_request() -> None:
    """Undo the request's work (before an error page is drawn, so the page can read the database again)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _finish_request(response: Response) -> Response:
    """The one commit of a request: its answer stands (2xx–4xx, refusals are logged too), else roll back.

    A failing commit raises here, so the person gets the error page instead of a page saying it was saved.
    """
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 500:
            session.commit()
        else:
            session.rollback()
    return response


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def unit_of_work(app: Flask) -> Iterator[Session]:
    """A session for commands and scripts: committed when the block ends, rolled back if it raises."""
    with Session(get_engine(app), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(app: Flask) -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = get_engine(app)
    return cfg


def upgrade(app: Flask, revision: str = "head") -> None:
    """Apply Alembic migrations (used by `flask db-upgrade`, `make run` and the tests)."""
    from alembic import command

    command.upgrade(alembic_config(app), revision)


def downgrade(app: Flask, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(app), revision)


db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    upgrade(current_app, revision)
    click.echo(f"Database is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision", default="base")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (default: an empty database)."""
    downgrade(current_app, revision)


def init_app(app: Flask) -> None:
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.after_request(_finish_request)
    app.teardown_appcontext(_close_session)
    app.cli.add_command(db_cli)
