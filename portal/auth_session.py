"""Flask-Login wiring: loading the signed-in user and what happens to anonymous requests."""

from __future__ import annotations

from flask import Flask, Response, make_response, redirect, render_template, request, url_for

from portal.db import get_session
from portal.extensions import login_manager
from portal.htmx import is_htmx
from portal.models import MAX_MESSAGE_LENGTH, User
from portal.services.accounts import load_user


def _load(token: str) -> User | None:
    return load_user(get_session(), token)


def login_redirect() -> Response:
    """Send an anonymous visitor to sign in, then back here (full page, also for htmx)."""
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        response = Response(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def sign_in_keeping_text() -> Response:
    """The session ended while writing: a sign-in form that carries the unsent text along (never lost)."""
    draft = request.form.get("body", "")[:MAX_MESSAGE_LENGTH]
    layout = "layouts/bare.html" if is_htmx() else "base.html"
    response = make_response(render_template("auth/session_ended.html", draft=draft, next=request.path,
                                             layout=layout), 401)
    if is_htmx():
        response.headers["HX-Retarget"] = "#compose"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.unauthorized_handler(login_redirect)
    login_manager.session_protection = "basic"
