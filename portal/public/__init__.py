"""Pages anyone may see: the front door, the accessibility statement, the language choice."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import relatives, views  # noqa: E402,F401
