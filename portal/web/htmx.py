"""The one place that knows which htmx library we use (flask-htmx; see README)."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_htmx import HTMX

htmx = HTMX()

MAIN_TARGET = "main-content"


def is_htmx() -> bool:
    """True for any request htmx made."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """True when htmx asks for the main content only (not a history restore)."""
    return bool(htmx) and not htmx.history_restore_request and htmx.target == MAIN_TARGET


def in_place() -> bool:
    """True when htmx asks for a fragment to put in place on the page (not a navigation to a whole page)."""
    return is_htmx() and not wants_fragment()


def _vary_on_htmx(response: Response) -> Response:
    """The same URL answers with a page or a fragment, so caches must key on the header."""
    response.vary.add("HX-Request")
    return response


def init_app(app: Flask) -> None:
    htmx.init_app(app)
    app.after_request(_vary_on_htmx)
