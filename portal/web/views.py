"""Pages anyone may see: the accessibility statement and the language choice; and the load balancer's health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.db import get_engine, get_session
from portal.web.guards import is_local_path
from portal.web.i18n import LOCALE_COOKIE, language_names
from portal.web.sessions import background

bp = Blueprint("web", __name__)


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement the law asks for: how well we conform and how to report a problem."""
    return render_template("web/accessibility.html")


def _back_to(referrer: str | None) -> str:
    """The page the form was sent from, if it is on this site; else the front door."""
    parts = urlsplit(referrer or "")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    same_site = parts.netloc == request.host
    return path if same_site and is_local_path(path) else url_for("accounts.home")


@bp.get("/language")
def language() -> str:
    """Choose a language: each one named in itself, so a reader finds theirs whatever the page is in now."""
    back = request.args.get("next", "")
    if not is_local_path(back):  # the page the link was on (after htmx swaps too: the address bar's page)
        back = _back_to(request.referrer)
    return render_template("web/language.html", languages=language_names(current_app.config["LANGUAGES"]),
                           back="" if back.startswith(request.path) else back)


@bp.post("/language")
def language_update() -> Response:
    """Remember the chosen language (cookie, and the account if signed in) and go back."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    back = request.form.get("next", "")
    response = redirect(back if is_local_path(back) else _back_to(request.referrer), code=303)
    response.set_cookie(LOCALE_COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["LOCALE_COOKIE_SECURE"])
    if current_user.is_authenticated:
        current_user.locale = language
        get_session().add(current_user._get_current_object())
    return response


@bp.get("/healthz")
@background
def healthz() -> Response:
    """For the load balancer: 200 `ok` while the database answers, else 503. No session, no cookie, no access log."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        current_app.logger.warning("Health check: the database does not answer (%s)", type(error).__name__)
        return Response("unavailable", status=503, mimetype="text/plain", headers={"Cache-Control": "no-store"})
    return Response("ok", mimetype="text/plain", headers={"Cache-Control": "no-store"})
