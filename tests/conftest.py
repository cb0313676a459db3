"""Fixtures: one migrated database per run (SQLite, or PostgreSQL with TEST_DATABASE_URL), emptied after each test."""

from __future__ import annotations

import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterator

import pytest
from flask import Flask, request_started
from flask.testing import FlaskClient
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select

os.environ["PORTAL_ENV"] = "test"

from portal import create_app, db  # noqa: E402
from portal.config import normalise_database_url  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def _reset_postgres(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets a database of its own beside TEST_DATABASE_URL's (`test_gw0`, …)."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1 … when the suite runs in parallel
        if worker:
            url = _worker_database(url, worker)
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": database_url})
    db.upgrade(app)
    yield app
    db.get_engine(app).dispose()


@pytest.fixture(scope="session")
def engine(app: Flask) -> Engine:
    return db.get_engine(app)


_SEQUENCES: list[str] = []  # PostgreSQL: each table's id sequence, looked up once


def _empty_tables(engine: Engine) -> None:
    """Every row gone, children first, and on PostgreSQL the ids counted from 1 again (as TRUNCATE … RESTART
    IDENTITY would, but DELETE of a few rows costs 0.05 s where TRUNCATE of every table took 0.6 s per test)."""
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            if not _SEQUENCES:
                found = (conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": t.name})
                         for t in tables if "id" in t.c)
                _SEQUENCES.extend(name for name in found if name)
            if _SEQUENCES:
                conn.execute(text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in _SEQUENCES)))


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_db = "app" in request.fixturenames
    engine = request.getfixturevalue("engine") if uses_db else None
    yield
    if engine is not None:
        _empty_tables(engine)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The test's own unit of work. Services never commit, so what a test set up is committed before each request
    the test makes (as a finished unit of work would be), and the app sees it."""
    with Session(db.get_engine(app), expire_on_commit=False) as s:
        owner = threading.current_thread()

        def commit_first(_sender: Flask, **_extra: object) -> None:
            if threading.current_thread() is owner:  # the test client's requests, not a live server's thread
                s.commit()

        request_started.connect(commit_first, app)
        try:
            yield s
        finally:
            request_started.disconnect(commit_first, app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_from(html: str) -> str:
    """The page's CSRF token: a form's, or the one htmx sends (every full page has it on <body>)."""
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # given to test accounts without a second factor


def second_factor_code(app: Flask, identifier: str) -> str | None:
    """The TOTP code an account's app would show now (a step not used yet); an account without any second factor
    gets TEST_TOTP_SECRET first (enrolment has tests of its own). None if no account has this identifier."""
    import pyotp

    from portal.accounts.second_factor.services import PERIOD
    from portal.accounts.services import find_user
    from portal.core.personal_id import InvalidPersonalId, looks_like_email, parse_personal_id

    identifier = unicodedata.normalize("NFKC", identifier)  # as the app reads every form (full-width digits …)
    try:
        typed = identifier.lower() if looks_like_email(identifier) else parse_personal_id(identifier)
    except InvalidPersonalId:
        return None
    with Session(db.get_engine(app)) as s:
        user = find_user(s, typed)
        if user is None:
            return None
        if not user.totp_secret:
            user.totp_secret = TEST_TOTP_SECRET
            s.add(user)
            s.commit()
        step, now = (user.totp_last_step or 0) + 1, int(time.time()) // PERIOD
        if step > now + 1:  # this account signed in twice in this half minute already: wait for the next code
            time.sleep((step - 1) * PERIOD - time.time() + 0.05)
        return pyotp.TOTP(user.totp_secret).at(max(step, now) * PERIOD)


def sign_in(client: FlaskClient, identifier: str, password: str, **extra: str):  # noqa: ANN201
    """Sign in through the real forms (with their CSRF tokens): the password, then a code from the account's app.
    Returns the last POST's response (the password's when it was refused)."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    data = {"identifier": identifier, "password": password, "csrf_token": token, **extra}
    response = client.post("/login", data=data)
    if response.status_code != 303 or response.headers["Location"] != "/login/verify":
        return response
    return pass_second_factor(client, identifier)


def pass_second_factor(client: FlaskClient, identifier: str):  # noqa: ANN201
    """After a right password: the code from the account's app, through the real form; returns the POST response."""
    code = second_factor_code(client.application, identifier)
    token = csrf_from(client.get("/login/verify").get_data(as_text=True))
    return client.post("/login/verify", data={"code": code or "", "csrf_token": token})


def post_form(client: FlaskClient, path: str, data: dict[str, str] | None = None, page: str = "/login"):  # noqa: ANN201
    """POST with a fresh CSRF token taken from `page`."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def client_as(app: Flask, user: object) -> FlaskClient:
    """A test client signed in as `user` without the password form (argon2 is slow; sign-in has tests of its own)."""
    client = app.test_client()
    with client.session_transaction() as state:
        state["_user_id"] = user.get_id()  # type: ignore[attr-defined]
        state["_fresh"] = True
    return client


HTMX_HEADERS = {"HX-Request": "true", "HX-Target": "main-content"}


@pytest.fixture(scope="session")
def test_idp() -> Iterator[object]:
    """The test identity provider (testidp/) running as its own process on a free port (tests/idp.py)."""
    from tests.idp import running

    with running() as provider:
        yield provider


@pytest.fixture
def eid(app: Flask, test_idp: object, monkeypatch: pytest.MonkeyPatch) -> object:
    """e-ID sign-in on, pointed at the test identity provider, for this test."""
    for name, value in test_idp.settings().items():  # type: ignore[attr-defined]
        monkeypatch.setitem(app.config, name, value)
    return test_idp


def count_rows(session: Session, model: type, *where: object) -> int:
    """How many rows of `model` (matching `where`) the database holds now (the test's own work committed first)."""
    session.commit()
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()

