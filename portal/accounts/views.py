"""Signing in and out, and the front door that sends each kind of account to its start page."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests

from portal.accounts.forms import LoginForm
from portal.accounts.second_factor import pending as second_factor
from portal.accounts.services import authenticate, end_all_sessions
from portal.db import get_session
from portal.plans.access import home_endpoint
from portal.security import sign_in_log
from portal.security.services import EventKind
from portal.security.throttle import note_sign_in, refuse_if_slowed, retry_after, too_many_page, try_again_at
from portal.web.guards import is_local_path, login_redirect
from portal.web.htmx import is_htmx
from portal.web.i18n import format_clock
from portal.web.sessions import ABSOLUTE, IDLE, background, ended_reason, remaining
from portal.web.stale_forms import from_this_site

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


ENDED = {
    IDLE: _l("You were signed out because nothing happened for a while. Sign in again to go on."),
    ABSOLUTE: _l("You were signed out because you had been signed in for 12 hours. Sign in again to go on."),
}


def _render(form: LoginForm, status: int = 200) -> tuple[str, int]:
    ended = ENDED.get(ended_reason() or "")
    return render_template("accounts/login.html", form=form, next=request.values.get("next", ""), ended=ended), status


@bp.get("/login")
def login() -> Response | tuple[str, int]:
    """The sign-in form; signed-in users go straight on."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    return _render(LoginForm())


@bp.post("/login")
def login_submit() -> Response | tuple[str, int]:
    """Check the details; a right password only half signs in: the second factor comes next (then `next`)."""
    form = LoginForm.from_request(request.form)
    if not form.validate():
        return _render(form, 422)
    refuse_if_slowed(form.parsed or "")  # 429 while this account waits after failed sign-ins
    user = authenticate(get_session(), form.parsed or "", form.password)
    note_sign_in(form.parsed or "", succeeded=user is not None)
    if user is None:
        form.errors["form"] = WRONG_DETAILS
        return _render(form, 422)
    # Half signed in: nobody is signed in until the second factor passes (accounts/second_factor).
    second_factor.begin(user, form.parsed or "", request.form.get("next", ""), form.draft)
    return redirect(url_for("accounts.factor.verify"), code=303)


@bp.post("/logout")
def logout() -> Response:
    """Sign out everywhere: the session ends in this browser and any copy of its cookie stops working."""
    if current_user.is_authenticated:
        end_all_sessions(get_session(), current_user._get_current_object())
        sign_in_log.note(EventKind.SIGN_OUT, account=current_user._get_current_object())
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login", signed_out=1), code=303)


@bp.get("/session")
@background
def session_status() -> Response:
    """For the stay-signed-in dialog: seconds left of this sign-in (asking does not extend it)."""
    left = remaining().seconds if current_user.is_authenticated else 0
    return jsonify(signed_in=left > 0, seconds_left=left)


@bp.post("/session")
def session_extend() -> Response:
    """'Stay signed in': any request of the person's own is activity; back to the page (scripts get the status)."""
    if not current_user.is_authenticated:
        return login_redirect()
    if is_htmx() or request.accept_mimetypes.best == "application/json":
        return session_status()
    target = request.form.get("next", "")
    return redirect(target if is_local_path(target) else url_for("accounts.home"), code=303)


@bp.errorhandler(CSRFError)
def login_expired(_error: CSRFError) -> tuple[str, int]:
    """An expired sign-in form: show it again with what was typed (except the password)."""
    form = LoginForm.from_request(request.form) if from_this_site() else LoginForm()  # nothing planted from elsewhere
    form.password = ""
    form.errors["form"] = _l("The page had expired. Write your password again and sign in.")
    return _render(form, 400)


@bp.errorhandler(TooManyRequests)
def login_slowed(error: TooManyRequests) -> Response:
    """Too many tries: the sign-in form again with what was typed (except the password), and when to try again."""
    if request.endpoint != "accounts.login_submit":
        return too_many_page(error)
    form, seconds = LoginForm.from_request(request.form), retry_after(error)
    form.password = ""
    form.errors["form"] = _l("You have tried to sign in many times. For your safety, wait until %(time)s and try "
                             "again.", time=format_clock(try_again_at(seconds)))
    response = make_response(_render(form, 429))
    response.headers["Retry-After"] = str(seconds)
    return response
