"""One log line per request, with a request id that the answer carries back in X-Request-ID.

A line holds what was chosen, not what was at hand: the method, the path without its query string, the endpoint, the
status, the time taken and a signed-in account's opaque number. Never a personal number, a name, an e-mail address,
a form value or a query string; in JSON (production) an exception is logged by its type and stack, not its message,
which can quote a row's values. Lines go to stderr through the app's logger; LOG_FORMAT chooses JSON or text.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request, request_finished, request_started
from flask.logging import default_handler

HEADER = "X-Request-ID"
HANDLER_NAME = "portal.request_log"
QUIET = {("web.healthz", 200)}  # the load balancer's probes: every few seconds, they would drown the rest
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
PERSONAL_NUMBER = re.compile(r"\d{6}(?:\d{2})?[-+]?\d{4}")  # any run shaped like one, checksum or not
E_MAIL = re.compile(r"[^/]*@[^/]*")
MAX_PATH = 200
REQUEST_FIELDS = ("method", "path", "endpoint", "status", "duration_ms", "user_id")


def safe_path(path: str) -> str:
    """The path as logged: anything shaped like a personal number or an e-mail address masked (a mistyped URL)."""
    return E_MAIL.sub("[redacted]", PERSONAL_NUMBER.sub("[redacted]", path[:MAX_PATH]))


def _incoming_id() -> str | None:
    """The caller's X-Request-ID (a load balancer's), if it is a plain token that hides no personal number."""
    value = request.headers.get(HEADER, "")
    return value if SAFE_ID.fullmatch(value) and not PERSONAL_NUMBER.search(value) else None


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _started(_app: Flask, **_extra: object) -> None:
    g.request_id = _incoming_id() or uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _answer_with_id(response: Response) -> Response:
    if request_id := current_request_id():
        response.headers[HEADER] = request_id
    return response


def _user_id() -> int | None:
    """The signed-in account's id, if this request loaded one (a static file never loads the account)."""
    user = g.get("_login_user")  # where Flask-Login keeps the account it loaded for this request
    return getattr(user, "id", None) if user is not None and user.is_authenticated else None


def _finished(app: Flask, response: Response, **_extra: object) -> None:
    """The request's one line, after every after_request (so a failed commit logs the 500 it became, once)."""
    if (request.endpoint, response.status_code) in QUIET:
        return
    started = g.get("request_started", time.perf_counter())
    fields = {"method": request.method, "path": safe_path(request.path), "endpoint": request.endpoint,
              "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
              "user_id": _user_id()}
    level = logging.ERROR if response.status_code >= 500 else logging.INFO
    app.logger.log(level, "request", extra={"request_fields": fields})


def _without_message(error: BaseException) -> dict[str, object]:
    """An exception without its message: its type (and what caused it) and where it was raised."""
    chain: list[str] = []
    cause: BaseException | None = error
    while cause is not None and len(chain) < 5:
        chain.append(f"{type(cause).__module__}.{type(cause).__qualname__}")
        cause = cause.__cause__ or cause.__context__
    frames = traceback.extract_tb(error.__traceback__)
    return {"exception": " <- ".join(chain), "stack": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames]}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update(getattr(record, "request_fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            line.update(_without_message(record.exc_info[1]))
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal: the same fields as key=value, and a full traceback."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "request_fields", {})
        record.request_id = getattr(record, "request_id", None) or "-"
        text = super().format(record)
        extra = " ".join(f"{name}={fields[name]}" for name in REQUEST_FIELDS if fields.get(name) is not None)
        return f"{text} {extra}" if extra else text


class _RequestId(logging.Filter):
    """Every record logged during a request carries its id; an exception is written once (Flask and our 500 page
    both log it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        if record.exc_info and record.exc_info[1] is not None and has_request_context():
            if g.get("logged_exception") is record.exc_info[1]:
                return False
            g.logged_exception = record.exc_info[1]
        return True


def handler_of(app: Flask) -> logging.Handler | None:
    return next((h for h in app.logger.handlers if h.name == HANDLER_NAME), None)


def _install_handler(app: Flask) -> None:
    """Our handler on the app's logger, replacing Flask's and the one an earlier app (in the tests) put there."""
    for old in [default_handler, handler_of(app)]:
        if old is not None:
            app.logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.name = HANDLER_NAME
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else TextFormatter())
    handler.addFilter(_RequestId())
    app.logger.addHandler(handler)
    app.logger.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    app.config.setdefault("LOG_FORMAT", "text")
    _install_handler(app)
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
    app.after_request(_answer_with_id)
