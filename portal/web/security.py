"""Headers that every response carries: strict CSP, no sniffing, no caching of patient pages."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


# A stylesheet or a script is never a document: the policies for documents do nothing on it, and leaving them off
# keeps a first load under 30 KB. It keeps "nosniff", which makes browsers refuse it under any other type.
SUBRESOURCE_TYPES = ("text/css", "text/javascript", "application/javascript")


def _security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype not in SUBRESOURCE_TYPES:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint == "static":
        if request.args.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
    if app.config["SESSION_COOKIE_SECURE"]:
        app.after_request(_hsts)


def _hsts(response: Response) -> Response:
    response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
