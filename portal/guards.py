"""Deny by default: each audience blueprint lets in only its own role."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Response, abort
from flask_login import current_user

from portal.auth_session import login_redirect


def require_role(*roles: str) -> Callable[[], Response | None]:
    """A before_request hook: anonymous users sign in first, other roles get 403."""

    def guard() -> Response | None:
        if not current_user.is_authenticated:
            return login_redirect()
        if current_user.role not in roles:
            abort(403)
        return None

    return guard


def is_local_path(target: str | None) -> bool:
    """Only a path on this site ('/plan'), never another host ('//evil', 'https://…')."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
