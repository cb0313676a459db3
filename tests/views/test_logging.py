"""Structured logs: one JSON line per request on the app's logger, with a request id the answer carries too, and never
a query string, a form value, a personal number, a name or an e-mail address, even when the request holds them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from portal import create_app, db
from portal.db import get_session
from portal.web import request_log
from tests import factories
from tests.conftest import csrf_from, second_factor_code

Lines = Callable[[], list[dict[str, object]]]
SECRETS = ("680412", "Maria", "maria@", "correct horse", "?")  # "680412": in 10 and 12 digits alike


@pytest.fixture
def json_app(app: Flask) -> Iterator[Flask]:
    """An app on the test database logging as in production, its log lines kept in memory."""
    logger = logging.getLogger(app.logger.name)
    handlers = list(logger.handlers)
    fresh = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "LOG_FORMAT": "json",
                        "PROPAGATE_EXCEPTIONS": False})
    yield fresh
    db.get_engine(fresh).dispose()
    logger.handlers[:] = handlers  # the session's app logs as text again


@pytest.fixture
def lines(json_app: Flask) -> Lines:
    """What the app wrote to its log, one parsed JSON object per line (a line that is not JSON fails the test)."""
    handler = request_log.handler_of(json_app)
    assert handler is not None
    buffer = io.StringIO()
    handler.setStream(buffer)
    return lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]


def _requests(found: list[dict[str, object]]) -> list[dict[str, object]]:
    return [line for line in found if line["message"] == "request"]


def test_logging_writes_one_json_line_per_request_with_its_id(json_app: Flask, lines: Lines) -> None:
    client = json_app.test_client()
    first = client.get("/login")
    second = client.get("/accessibility")
    logged = _requests(lines())
    assert [line["path"] for line in logged] == ["/login", "/accessibility"]
    assert logged[0]["request_id"] == first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert {key: logged[0][key] for key in ("level", "method", "endpoint", "status", "user_id")} == {
        "level": "info", "method": "GET", "endpoint": "accounts.login", "status": 200, "user_id": None}
    assert isinstance(logged[0]["duration_ms"], float)
    assert str(logged[0]["time"]).endswith("+00:00")


def test_logging_leaves_out_query_strings_and_form_values(json_app: Flask, session: Session, lines: Lines) -> None:
    maria = factories.patient(session, name="Maria Ek", pid="196804129820")
    client = json_app.test_client()
    client.get("/login?identifier=19680412-9820&name=Maria&email=maria@example.se")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login?next=/plan/", data={"identifier": "19680412-9820", "password": factories.PASSWORD,
                                            "csrf_token": token})
    code = second_factor_code(json_app, "19680412-9820")
    token = csrf_from(client.get("/login/verify").get_data(as_text=True))
    client.post("/login/verify?next=/plan/", data={"code": code, "csrf_token": token})
    client.get("/plan/")
    logged = lines()
    written = "\n".join(json.dumps(line, ensure_ascii=False) for line in logged)
    assert [line["path"] for line in _requests(logged)] == [
        "/login", "/login", "/login", "/login/verify", "/login/verify", "/plan/"]
    assert [secret for secret in (*SECRETS, code) if secret in written] == []
    assert _requests(logged)[-1]["user_id"] == maria.user_id  # an opaque number, once signed in


@pytest.mark.parametrize("path", ["/plan/19680412-9820", "/staff/find/196804129820", "/x/maria@example.se/y"])
def test_logging_masks_personal_numbers_and_addresses_in_a_path(json_app: Flask, lines: Lines, path: str) -> None:
    assert json_app.test_client().get(path).status_code == 404
    (line,) = _requests(lines())
    assert line["status"] == 404
    assert "[redacted]" in str(line["path"])
    assert [secret for secret in SECRETS if secret in json.dumps(line)] == []


@pytest.mark.parametrize(("sent", "kept"), [
    ("0f8fe6a8c8a64c0b9d1c35b2e1f7c3b1", True), ("lb-2024.abc_DEF-123", True),
    ("short", False), ("x" * 200, False), ("a b c d e f g h", False), ("<script>alert(1)</script>", False),
    ("req-19680412-9820", False), ("req-196804129820", False),
])
def test_logging_keeps_a_safe_incoming_request_id(json_app: Flask, lines: Lines, sent: str, kept: bool) -> None:
    response = json_app.test_client().get("/login", headers={"X-Request-ID": sent})
    (line,) = _requests(lines())
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (response.headers["X-Request-ID"] == sent) is kept


def test_logging_a_server_error_logs_the_exception_with_the_request_id(json_app: Flask, lines: Lines) -> None:
    @json_app.get("/test/boom")
    def boom() -> str:
        raise RuntimeError("the row was 19680412-9820, Maria Ek")

    response = json_app.test_client().get("/test/boom?q=Maria")
    logged = lines()
    errors = [line for line in logged if "exception" in line]
    (request,) = _requests(logged)
    assert response.status_code == 500
    assert (request["status"], request["level"]) == (500, "error")
    assert len(errors) == 1  # Flask and our 500 page both log it; it is written once
    assert errors[0]["request_id"] == response.headers["X-Request-ID"]
    assert errors[0]["exception"] == "builtins.RuntimeError"
    assert any("in boom" in frame for frame in errors[0]["stack"])  # type: ignore[union-attr]
    assert [secret for secret in SECRETS if secret in json.dumps(logged)] == []


def test_logging_leaves_out_the_health_checks_that_pass(json_app: Flask, lines: Lines) -> None:
    assert json_app.test_client().get("/healthz").status_code == 200
    assert _requests(lines()) == []


def test_logging_is_text_in_development_and_tests(app: Flask) -> None:
    handler = request_log.handler_of(app)
    assert handler is not None
    assert isinstance(handler.formatter, request_log.TextFormatter)
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "request", None, None)
    record.request_fields = {"method": "GET", "path": "/login", "status": 200, "user_id": None}
    assert handler.formatter.format(record).endswith("[-] request method=GET path=/login status=200")


def test_logging_a_failed_commit_is_one_line_for_the_500_it_became(json_app: Flask, lines: Lines,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    @json_app.get("/test/commit")
    def commit_fails() -> str:
        def refuse() -> None:
            raise OperationalError("COMMIT", {"personal_id": "19680412-9820"}, Exception("disk I/O error"))

        monkeypatch.setattr(get_session(), "commit", refuse)
        return "saved"

    response = json_app.test_client().get("/test/commit")
    logged = lines()
    assert response.status_code == 500
    assert [line["status"] for line in _requests(logged)] == [500]
    assert [line["exception"] for line in logged if "exception" in line] == ["sqlalchemy.exc.OperationalError"]
    assert [secret for secret in SECRETS if secret in json.dumps(logged)] == []
