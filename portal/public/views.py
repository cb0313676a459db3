"""Public views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.db import get_session
from portal.guards import is_local_path
from portal.i18n import LOCALE_COOKIE, local_now
from portal.patient.access import ACTING_KEY
from portal.public import bp
from portal.services import delegations

HOME_BY_ROLE = {"patient": "patient.start", "relative": "public.choose", "staff": "staff.caseload",
                "editor": "editor.index", "admin": "editor.index"}


@bp.get("/")
def home() -> Response | str:
    """Signed-in users go to their start page; others to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    endpoint = HOME_BY_ROLE.get(current_user.role)
    if current_user.role == "patient" and session.get(ACTING_KEY) is None and delegations.usable_for_user(
            get_session(), current_user.id, local_now().date()):
        endpoint = "public.choose"  # a patient who is also someone's relative chooses whose plan to see
    return redirect(url_for(endpoint)) if endpoint else render_template("public/home.html")


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement the law asks for: how well we conform and how to report a problem."""
    return render_template("public/accessibility.html")


def _back_to(referrer: str | None) -> str:
    """The page the form was sent from, if it is on this site; else the front door."""
    parts = urlsplit(referrer or "")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    same_site = parts.netloc == request.host
    return path if same_site and is_local_path(path) else url_for("public.home")


@bp.post("/language")
def language_set() -> Response:
    """Remember the chosen language (cookie, and the account if signed in) and go back."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    response = redirect(_back_to(request.referrer), code=303)
    response.set_cookie(LOCALE_COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["LOCALE_COOKIE_SECURE"])
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        user.locale = language
        session = get_session()
        session.add(user)
        session.commit()
    return response
