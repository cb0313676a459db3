"""Running in production: the health check a load balancer asks, the client's address behind it, and gunicorn's
settings (workers, timeouts, an access log without query strings)."""

from __future__ import annotations

import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from gunicorn.config import Config
from sqlmodel import Session

from portal import create_app, db
from portal.config import normalise_database_url
from portal.models import AccessEvent
from tests.conftest import count_rows

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/x"  # nothing listens on port 1


def test_healthz_answers_ok_while_the_database_answers(client: FlaskClient, session: Session) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True), response.mimetype) == (200, "ok", "text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert count_rows(session, AccessEvent) == 0


def test_healthz_answers_503_when_the_database_is_unreachable(app: Flask) -> None:
    unreachable = create_app({"DATABASE_URL": normalise_database_url(UNREACHABLE)})
    response = unreachable.test_client().get("/healthz")
    db.get_engine(unreachable).dispose()
    assert (response.status_code, response.get_data(as_text=True)) == (503, "unavailable")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("proxies", "forwarded", "seen"), [
    (0, "203.0.113.7", "10.0.0.2"),  # no proxy trusted: the header is ignored
    (1, "203.0.113.7", "203.0.113.7"),  # the load balancer's word for the client
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # what the client wrote itself is not believed
])
def test_behind_a_load_balancer_the_client_address_is_the_forwarded_one(app: Flask, proxies: int, forwarded: str,
                                                                         seen: str) -> None:
    fresh = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "TRUSTED_PROXIES": proxies})
    fresh.add_url_rule("/test/address", "test_address", lambda: f"{request.remote_addr} {request.scheme}")
    response = fresh.test_client().get("/test/address", environ_base={"REMOTE_ADDR": "10.0.0.2"},
                                       headers={"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"})
    db.get_engine(fresh).dispose()
    assert response.get_data(as_text=True) == f"{seen} {'https' if proxies else 'http'}"


@pytest.fixture(scope="module")
def settings() -> dict[str, object]:
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_settings_for_production(settings: dict[str, object]) -> None:
    assert settings["bind"] == ["127.0.0.1:5000"]
    assert settings["worker_class"] == "sync"
    assert 3 <= settings["workers"] <= 9  # type: ignore[operator]
    assert (settings["timeout"], settings["graceful_timeout"]) == (30, 30)
    assert settings["forwarded_allow_ips"] == "127.0.0.1"
    log_format = str(settings["access_log_format"])
    assert "%(U)s" in log_format
    assert [atom for atom in ("%(r)s", "%(q)s", "%(f)s", "%({referer}i)s") if atom in log_format] == []


def _access_line(settings: dict[str, object], path: str, status: str = "404 NOT FOUND") -> list[str]:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", settings["access_log_format"])
    logger = settings["AccessLog"](config)  # type: ignore[operator]
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger.access_log.handlers[:] = [handler]
    response = SimpleNamespace(status=status, headers=[("X-Request-ID", "abc123def456")], sent=12)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "q=Maria", "RAW_URI": f"{path}?q=Maria",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": "/x?pid=1"}
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    return lines


def test_gunicorn_access_log_has_no_query_string_and_no_personal_number(settings: dict[str, object]) -> None:
    (line,) = _access_line(settings, "/plan/19680412-9820")
    assert '"GET /plan/[redacted] HTTP/1.1" 404 12 12ms id=abc123def456' in line
    assert "Maria" not in line
    assert "pid" not in line


def test_gunicorn_access_log_leaves_out_the_health_checks_that_pass(settings: dict[str, object]) -> None:
    assert _access_line(settings, "/healthz", "200 OK") == []
    assert len(_access_line(settings, "/healthz", "503 SERVICE UNAVAILABLE")) == 1
