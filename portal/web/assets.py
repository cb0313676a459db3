"""Versioned static URLs: a file's content hash in the URL lets browsers cache it for a year."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for


@cache
def _digest(path: Path, _mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """`/static/css/base.css?v=<hash>` for a file under portal/static."""
    path = Path(current_app.static_folder or "") / filename
    return url_for("static", filename=filename, v=_digest(path, path.stat().st_mtime))


def _buffer_static(response: Response) -> Response:
    """Read small static files into memory so that they can be gzipped (streams are not)."""
    if request.endpoint == "static" and response.direct_passthrough and response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def init_app(app: Flask) -> None:
    """Registered after Flask-Compress, so this runs before it on each response."""
    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(_buffer_static)
