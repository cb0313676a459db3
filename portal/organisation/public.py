"""For someone an administrator invited: open the e-mailed link (or write its code) and choose a password, once."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.core.access_log import Action, Actor, record_access
from portal.core.clock import utcnow
from portal.db import get_session
from portal.models import AccountInvitation, User
from portal.organisation import services
from portal.security.sign_in_log import EventKind, note

bp = Blueprint("public", __name__)

SETUP_KEY = "account_setup"  # the code of the invitation being used in this browser, never in an address
PROBLEMS: dict[str, LazyString] = {
    "unknown": _l("There is no invitation with this code. Check that you wrote it as in the e-mail."),
    "used": _l("This link has been used already. Sign in with the password you chose, or ask your administrator "
               "for a new link."),
    "expired": _l("The link no longer works. Ask your administrator to send a new one."),
}
ERRORS: dict[str, LazyString] = {
    "password_short": _l("Choose a password with at least %(min)s characters.", min=services.MIN_PASSWORD),
    "password_long": _l("Choose a shorter password (at most %(max)s characters).", max=services.MAX_PASSWORD),
    "password_match": _l("Write the same password twice."),
}


def _usable() -> tuple[AccountInvitation | None, str | None]:
    db = get_session()
    invitation = services.find_invitation(db, session.get(SETUP_KEY, ""))
    return invitation, services.invitation_problem(db, invitation, utcnow())


def _code_page(typed: str = "", problem: str | None = None) -> tuple[str, int]:
    return render_template("organisation/public/welcome.html", typed=typed,
                           error=PROBLEMS[problem] if problem else None), 422 if problem else 200


@bp.get("/welcome")
def welcome() -> tuple[str, int]:
    """The form for the code (invite.js fills it from the link), or, with a usable code, the password form."""
    invitation, problem = _usable()
    if invitation is None or problem is not None:
        return _code_page()
    return _password_page(invitation, {})


def _password_page(invitation: AccountInvitation, errors: dict[str, str]) -> tuple[str, int]:
    account = get_session().get(User, invitation.user_id)
    return render_template("organisation/public/welcome_password.html", account=account,
                           errors={name: ERRORS[code] for name, code in errors.items()}), 422 if errors else 200


@bp.post("/welcome/open")
def welcome_open() -> Response | tuple[str, int]:
    """The code from the e-mail, kept in the session; a used or expired one is told at once."""
    typed = request.form.get("invitation_code", "")[:200]
    invitation = services.find_invitation(get_session(), typed)
    problem = services.invitation_problem(get_session(), invitation, utcnow())
    if problem is not None:
        record_access(get_session(), Actor.of(None), Action.DENIED, "account_invitation", None)
        return _code_page(typed, problem)
    session[SETUP_KEY] = services.invitation_code(typed)
    return redirect(url_for("organisation.public.welcome"), code=303)


@bp.post("/welcome/password")
def welcome_password() -> Response | tuple[str, int]:
    """Set the password; the link is used up, and the person signs in (with a second step for staff)."""
    invitation, problem = _usable()
    if invitation is None or problem is not None:
        session.pop(SETUP_KEY, None)
        return _code_page("", problem or "unknown")
    errors = services.check_password(request.form.get("password", ""), request.form.get("password_again", ""))
    if errors:
        return _password_page(invitation, errors)
    user = services.accept_invitation(get_session(), invitation, request.form.get("password", ""), utcnow())
    note(EventKind.ACCOUNT_CHANGED, account=user, detail="password_set")
    session.pop(SETUP_KEY, None)
    return redirect(url_for("organisation.public.welcome_done"), code=303)


@bp.get("/welcome/done")
def welcome_done() -> str:
    """The password is chosen: on to sign in."""
    return render_template("organisation/public/welcome_done.html")
