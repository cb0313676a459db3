"""A form sent with an expired or missing token changes nothing, yet loses nothing the person typed.

The page the form was on is drawn again, as a GET draws it (through the same guards), with the posted values put
back into that form and a plain "the page had expired, send again". Only for a form sent from one of our own pages
(`from_this_site`): a form posted from another site gets the plain error page, so nobody can plant text in a
person's forms.
"""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.web.errors import csrf_error_page
from portal.web.htmx import MAIN_TARGET, is_htmx
from portal.web.refill import refill

STALE_KEY = "stale_form"


def from_this_site() -> bool:
    """The browser says the request came from one of our pages (Fetch Metadata, else Origin, else Referer)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == request.host_url.rstrip("/")
    referer = urlsplit(request.headers.get("Referer", ""))
    return f"{referer.scheme}://{referer.netloc}/" == request.host_url


def _page() -> tuple[str, str] | None:
    """The path and query of the page the form was on, if a GET can draw it."""
    referer = urlsplit(request.headers.get("Referer", ""))
    candidates = [(referer.path, referer.query)] if referer.netloc == request.host else []
    adapter = current_app.url_map.bind(request.host)
    for path, query in [*candidates, (request.path, "")]:
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            continue
        return path, query
    return None


def _draw(path: str, query: str) -> Response:
    """The page as a GET by the same person draws it; its session changes (a new token) become this request's."""
    environ = {key: value for key, value in request.environ.items()
               if not key.startswith(("HTTP_HX_", "werkzeug."))
               and key not in ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_ACCEPT_ENCODING")}
    environ.update({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": BytesIO()})
    if is_htmx():
        environ.update({"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": MAIN_TARGET})
    with current_app.request_context(environ) as context:
        response = current_app.full_dispatch_request()
        drawn = dict(context.session)
    session.clear()
    session.update(drawn)
    cookie = current_app.config["SESSION_COOKIE_NAME"] + "="
    kept = [value for value in response.headers.getlist("Set-Cookie") if not value.startswith(cookie)]
    response.headers.setlist("Set-Cookie", kept)
    return response


def draw_again(error: CSRFError) -> Response | tuple[str, int]:
    """The CSRF error handler: the page again with what was typed, or the plain page for a form from elsewhere."""
    page = _page() if from_this_site() else None
    if page is None:
        return csrf_error_page(error)
    g.stale_form = True
    response = _draw(*page)
    if response.status_code == 200 and response.mimetype == "text/html":
        response.set_data(refill(response.get_data(as_text=True), request.path, page[0], request.form))
        response.status_code = 400
    if is_htmx():
        response.headers["HX-Retarget"] = f"#{MAIN_TARGET}"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _layout() -> dict[str, object]:
    return {STALE_KEY: g.get("stale_form", False)}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, draw_again)
    app.context_processor(_layout)
