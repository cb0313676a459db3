"""Deny by default: the hooks each blueprint runs before its views, and where anonymous visitors are sent."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.access_log import Action, Actor, record_access
from portal.db import get_session
from portal.models import MAX_MESSAGE_LENGTH
from portal.web.htmx import is_htmx

AnonymousAnswer = Callable[[], Response]


def login_redirect() -> Response:
    """Send an anonymous visitor to sign in, then back here (full page, also for htmx)."""
    target = url_for("accounts.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        response = Response(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def sign_in_keeping_text() -> Response:
    """The session ended while writing: a sign-in form that carries the unsent text along (never lost)."""
    draft = request.form.get("body", "")[:MAX_MESSAGE_LENGTH]
    layout = "layouts/bare.html" if is_htmx() else "base.html"
    response = make_response(render_template("web/session_ended.html", draft=draft, next=request.path,
                                             layout=layout), 401)
    if is_htmx():
        response.headers["HX-Retarget"] = "#compose"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def refuse_role() -> None:
    """A page for another kind of account: 403, and the attempt is in the access log."""
    actor = Actor.of(current_user._get_current_object())
    record_access(get_session(), actor, Action.DENIED, f"endpoint:{request.endpoint}", None)
    abort(403)


def require_role(*roles: str, on_anonymous: AnonymousAnswer = login_redirect) -> Callable[[], Response | None]:
    """A before_request hook: anonymous users sign in first, other roles get 403."""

    def guard() -> Response | None:
        if not current_user.is_authenticated:
            return on_anonymous()
        if current_user.role not in roles:
            refuse_role()
        return None

    return guard


def is_local_path(target: str | None) -> bool:
    """Only a path on this site ('/plan'), never another host ('//evil', 'https://…')."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False  # a line break would split the Location header
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
