"""For relatives: accepting an invitation (with an account of their own) and choosing whose care plan to see."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, session, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from portal.auth_session import login_redirect
from portal.db import get_session
from portal.guards import is_local_path
from portal.i18n import local_now
from portal.models import Delegation, Patient, Role, User
from portal.models.base import utcnow
from portal.patient.access import ACTING_KEY, OWN, landing
from portal.public import bp
from portal.services import delegations, plans
from portal.services.access_log import Action, record_access
from portal.services.accounts import find_user
from portal.services.notifications import is_valid_email
from portal.services.passwords import hash_password

INVITE_KEY = "invite_token"
MIN_PASSWORD = 10
MAX_PASSWORD = 200

PROBLEMS: dict[str, LazyString] = {
    "unknown": _l("The invitation cannot be used. It may have been used already, withdrawn, or the link is not "
                  "complete. Ask the person who invited you to send a new one."),
    "expired": _l("The invitation is more than 7 days old and no longer works. Ask the person to send a new one."),
    "own": _l("This is an invitation to your own care plan. Give the link to the person it is meant for."),
    "wrong_account": _l("Care staff accounts cannot be used as a relative. Sign out and use a personal account."),
    "already": _l("You already have access to this person's care plan."),
}
ACCOUNT_ERRORS: dict[str, LazyString] = {
    "name": _l("Write your name."),
    "email": _l("Write the e-mail address like name@example.com."),
    "taken": _l("There is already an account with this e-mail address. Sign in instead."),
    "password_short": _l("Choose a password with at least 10 characters."),
    "password_long": _l("Choose a shorter password (at most 200 characters)."),
    "password_match": _l("Write the same password twice."),
}


def _invitation() -> tuple[Delegation | None, str | None]:
    db = get_session()
    delegation = delegations.find_invitation(db, session.get(INVITE_KEY, ""))
    user = current_user if current_user.is_authenticated else None
    return delegation, delegations.invitation_problem(db, delegation, user, utcnow())


@bp.get("/invite/<token>")
def invite_link(token: str) -> Response:
    """The link from the e-mail: keep the token in the session and continue at an address without it."""
    session[INVITE_KEY] = token[:100]
    return redirect(url_for("public.invite"), code=303)


def _invite_page(form: dict[str, str] | None = None, errors: dict[str, LazyString] | None = None,
                 status: int = 200) -> tuple[str, int]:
    delegation, problem = _invitation()
    if problem is not None:
        session.pop(INVITE_KEY, None)  # an unusable link is told once, then forgotten
        db = get_session()
        record_access(db, current_user if current_user.is_authenticated else None, Action.DENIED, "invitation",
                      delegation.patient_id if delegation else None)
        return render_template("public/invite.html", problem=PROBLEMS[problem], delegation=None), 400
    patient = get_session().get(Patient, delegation.patient_id) if current_user.is_authenticated else None
    return render_template("public/invite.html", problem=None, delegation=delegation, patient=patient,
                           form=form or {"name": delegation.invite_name, "email": delegation.invite_email},
                           errors=errors or {}), status


@bp.get("/invite")
def invite() -> tuple[str, int]:
    """Who invites you and to what (after signing in), or how to sign in or make an account first."""
    return _invite_page()


@bp.post("/invite/accept")
def invite_accept() -> Response | tuple[str, int]:
    if not current_user.is_authenticated:
        return login_redirect()
    delegation, problem = _invitation()
    if problem is not None:
        return _invite_page()
    db = get_session()
    delegations.accept(db, delegation, current_user)
    record_access(db, current_user, Action.CREATE, f"delegation:{delegation.id}", delegation.patient_id,
                  delegation_id=delegation.id)
    session.pop(INVITE_KEY, None)
    session[ACTING_KEY] = delegation.id
    return redirect(url_for(landing(delegation)), code=303)


@bp.post("/invite/account")
def invite_account() -> Response | tuple[str, int]:
    """Make a relative's own account (never the patient's), sign in with it and accept the invitation."""
    delegation, problem = _invitation()
    if problem is not None or current_user.is_authenticated:
        return _invite_page()
    form = {"name": request.form.get("name", "").strip()[:300], "email": request.form.get("email", "").strip()[:300]}
    password = request.form.get("password", "")
    errors: dict[str, LazyString] = {}
    if not form["name"] or len(form["name"]) > delegations.MAX_NAME:
        errors["name"] = ACCOUNT_ERRORS["name"]
    if not is_valid_email(form["email"]):
        errors["email"] = ACCOUNT_ERRORS["email"]
    elif find_user(get_session(), form["email"]) is not None:
        errors["email"] = ACCOUNT_ERRORS["taken"]
    if len(password) < MIN_PASSWORD:
        errors["password"] = ACCOUNT_ERRORS["password_short"]
    elif len(password) > MAX_PASSWORD:
        errors["password"] = ACCOUNT_ERRORS["password_long"]
    elif password != request.form.get("password_again", ""):
        errors["password_again"] = ACCOUNT_ERRORS["password_match"]
    if errors:
        return _invite_page(form, errors, 422)
    db = get_session()
    user = User(email=form["email"].lower(), name=form["name"], role=Role.RELATIVE,
                password_hash=hash_password(password), contact_email=form["email"].lower())
    db.add(user)
    db.flush()
    delegations.accept(db, delegation, user)
    record_access(db, user, Action.CREATE, f"delegation:{delegation.id}", delegation.patient_id,
                  delegation_id=delegation.id)
    session.clear()
    login_user(user)
    session.permanent = True
    session[ACTING_KEY] = delegation.id
    return redirect(url_for(landing(delegation)), code=303)


@bp.route("/choose", methods=["GET", "POST"])
def choose() -> Response | str:
    """'Vems vårdplan vill du se?': the people this account may act for, and 'Min egen' for a patient."""
    if not current_user.is_authenticated:
        return login_redirect()
    db = get_session()
    usable = delegations.usable_for_user(db, current_user.id, local_now().date())
    own = plans.patient_for_user(db, current_user.id) if current_user.role == Role.PATIENT else None
    if request.method == "POST":
        choice = request.form.get("choice", "")
        target = request.form.get("next", "")
        chosen = next((d for d, _p in usable if choice.isdigit() and d.id == int(choice)), None)
        if choice == OWN and own is not None:
            session[ACTING_KEY] = OWN
        elif chosen is not None:
            session[ACTING_KEY] = chosen.id
        else:
            record_access(db, current_user, Action.DENIED, f"delegation:{choice[:20]}", None)
            return render_template("public/choose.html", usable=usable, own=own, error=True, next=target), 422
        home = url_for(landing(chosen)) if chosen is not None else url_for("patient.start")
        return redirect(target if is_local_path(target) and target.startswith("/plan") else home, code=303)
    if own is None and len(usable) == 1:
        session[ACTING_KEY] = usable[0][0].id  # nothing to choose between
        return redirect(url_for(landing(usable[0][0])), code=303)
    return render_template("public/choose.html", usable=usable, own=own, error=False,
                           next=request.args.get("next", ""))
