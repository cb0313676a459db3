"""Versioned static URLs: a file's content hash in the URL lets browsers cache it for a year."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for


@cache
def _digest(path: Path, _mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """`/static/css/base.css?v=<hash>` for a file under portal/static."""
    path = Path(current_app.static_folder or "") / filename
    return url_for("static", filename=filename, v=_digest(path, path.stat().st_mtime))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
