"""Error pages in our own layout: a calm message, never a stack trace, even after a failed transaction."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.db import rollback_request

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something went wrong with the request"), _l("Go back and try again.")),
    403: (_l("You do not have access to this page"),
          _l("This page is not open to your account. The start page shows what you can open.")),
    404: (_l("We cannot find the page"), _l("Check the address, or go back to the start page.")),
    405: (_l("This cannot be done here"), _l("Go back and try again.")),
    413: (_l("What you sent was too large"), _l("Go back, shorten the text and send it again.")),
    429: (_l("Too many tries"), _l("For your safety, this is paused for a while. Wait a few minutes and try again.")),
    500: (_l("Something went wrong on our side"), _l("Try again in a while. Nothing you saved is lost.")),
}


def render_error(code: int) -> tuple[str, int]:
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _http_error(error: HTTPException) -> tuple[str, int]:
    return render_error(error.code or 500)


def csrf_error_page(_error: CSRFError) -> tuple[str, int]:
    title = _l("The page had expired")
    text = _l("For your safety, forms stop working after a while. Go back, reload the page and try again.")
    return render_template("errors/error.html", code=400, title=title, text=text), 400


def _server_error(error: InternalServerError) -> tuple[str, int]:
    """Roll the request's work back first: the layout reads the signed-in account from the same session."""
    log.error("Unhandled error", exc_info=error.original_exception)
    rollback_request()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(HTTPException, _http_error)
