"""Signing in and out, and the front door that sends each kind of account to its start page."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from portal.accounts.forms import LoginForm
from portal.accounts.services import authenticate, end_all_sessions
from portal.core.drafts import save_draft
from portal.db import get_session
from portal.plans.access import home_endpoint
from portal.web.guards import is_local_path

bp = Blueprint("accounts", __name__, template_folder="templates")

WRONG_DETAILS = _l("The details do not match an account. Check them and try again.")
INVITE_KEY = "invite_token"  # an invitation being accepted survives the fresh session of a sign-in


@bp.get("/")
def home() -> Response | str:
    """Signed-in users go to their start page (a patient who also helps someone chooses whose plan); others sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    endpoint = home_endpoint(get_session(), current_user._get_current_object())
    return redirect(url_for(endpoint)) if endpoint else render_template("accounts/home.html")


def _render(form: LoginForm, status: int = 200) -> tuple[str, int]:
    return render_template("accounts/login.html", form=form, next=request.values.get("next", "")), status


@bp.get("/login")
def login() -> Response | tuple[str, int]:
    """The sign-in form; signed-in users go straight on."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    return _render(LoginForm())


@bp.post("/login")
def login_submit() -> Response | tuple[str, int]:
    """Check the details; on success start a fresh session and go to `next` or the start page."""
    form = LoginForm.from_request(request.form)
    if not form.validate():
        return _render(form, 422)
    user = authenticate(get_session(), form.parsed or "", form.password)
    if user is None:
        form.errors["form"] = WRONG_DETAILS
        return _render(form, 422)
    invitation = session.get(INVITE_KEY)
    session.clear()
    login_user(user)
    session.permanent = True
    if invitation:
        session[INVITE_KEY] = invitation
    target = request.form.get("next", "")
    if form.draft and is_local_path(target):
        save_draft(get_session(), user.id, form.draft, target)
    return redirect(target if is_local_path(target) else url_for("accounts.home"), code=303)


@bp.post("/logout")
def logout() -> Response:
    """Sign out everywhere: the session ends in this browser and any copy of its cookie stops working."""
    if current_user.is_authenticated:
        end_all_sessions(get_session(), current_user._get_current_object())
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login", signed_out=1), code=303)


@bp.errorhandler(CSRFError)
def login_expired(_error: CSRFError) -> tuple[str, int]:
    """An expired sign-in form: show it again with what was typed (except the password)."""
    form = LoginForm.from_request(request.form)
    form.password = ""
    form.errors["form"] = _l("The page had expired. Write your password again and sign in.")
    return _render(form, 400)
