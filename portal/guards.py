"""Deny by default: each audience blueprint lets in only its own role."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Response, abort, redirect, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from portal.auth_session import login_redirect, sign_in_keeping_text
from portal.db import get_session
from portal.errors import csrf_error_page
from portal.htmx import is_htmx
from portal.services.access_log import Action, record_access
from portal.services.messages import save_draft

MESSAGE_FORMS = ("patient.message_create", "staff.message_create")


def is_message_form() -> bool:
    """A message being sent: its text must survive an expired session or form (other forms are shown again)."""
    return request.method == "POST" and request.endpoint in MESSAGE_FORMS and "body" in request.form


def refuse_role() -> None:
    """A page for another kind of account: 403, and the attempt is in the access log."""
    record_access(get_session(), current_user, Action.DENIED, f"endpoint:{request.endpoint}", None)
    abort(403)


def require_role(*roles: str) -> Callable[[], Response | None]:
    """A before_request hook: anonymous users sign in first, other roles get 403."""

    def guard() -> Response | None:
        if not current_user.is_authenticated:
            return sign_in_keeping_text() if is_message_form() else login_redirect()
        if current_user.role not in roles:
            refuse_role()
        return None

    return guard


def is_local_path(target: str | None) -> bool:
    """Only a path on this site ('/plan'), never another host ('//evil', 'https://…')."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def keep_text_on_stale_form(error: CSRFError) -> Response | tuple[str, int]:
    """A message form that expired: its text is kept, over a new sign-in if needed, never thrown away."""
    if not is_message_form():
        return csrf_error_page(error)
    if not current_user.is_authenticated:
        return sign_in_keeping_text()
    save_draft(get_session(), current_user.id, request.form["body"], request.path)
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Redirect"] = request.path
        return response
    return redirect(request.path, code=303)
