"""For relatives: accepting an invitation (with an account of their own) and choosing whose care plan to see."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from portal.accounts.views import INVITE_KEY
from portal.core.access_log import Action, Actor, record_access
from portal.core.clock import stockholm_today, utcnow
from portal.core.text import parse_id
from portal.db import get_session
from portal.models import Delegation, Patient, Role, User
from portal.plans.access import ACTING_KEY, OWN, landing, log
from portal.plans.services import plans
from portal.plans.services.acting import usable_for_user
from portal.relatives import services as delegations
from portal.web.guards import is_local_path, login_redirect

bp = Blueprint("public", __name__)


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


def _signed_in() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.get("/invite/<token>")
def invitation_link(token: str) -> Response:
    """The link from the e-mail: keep the token in the session and continue at an address without it."""
    session[INVITE_KEY] = token[:100]
    return redirect(url_for("relatives.public.invitation"), code=303)


def _invite_page(form: dict[str, str] | None = None, errors: dict[str, LazyString] | None = None,
                 status: int = 200) -> tuple[str, int]:
    delegation, problem = _invitation()
    if problem is not None:
        session.pop(INVITE_KEY, None)  # an unusable link is told once, then forgotten
        log(Action.DENIED, "invitation", delegation.patient_id if delegation else None)
        return render_template("relatives/public/invitation.html", problem=PROBLEMS[problem], delegation=None), 400
    patient = get_session().get(Patient, delegation.patient_id) if current_user.is_authenticated else None
    return render_template("relatives/public/invitation.html", problem=None, delegation=delegation, patient=patient,
                           form=form or {"name": delegation.invite_name, "email": delegation.invite_email},
                           errors=errors or {}), status


@bp.get("/invite")
def invitation() -> tuple[str, int]:
    """Who invites you and to what (after signing in), or how to sign in or make an account first."""
    return _invite_page()


def _accepted(user: User, delegation: Delegation) -> Response:
    """Log the acceptance as the relative acting through it, and open what they may see first."""
    actor = Actor.of(user, delegation_id=delegation.id)
    record_access(get_session(), actor, Action.CREATE, f"delegation:{delegation.id}", delegation.patient_id)
    session[ACTING_KEY] = delegation.id
    return redirect(url_for(landing(delegation)), code=303)


@bp.post("/invite/accept")
def invitation_accept() -> Response | tuple[str, int]:
    """Accept with the account that is signed in (the relative's own, never the patient's)."""
    if not current_user.is_authenticated:
        return login_redirect()
    delegation, problem = _invitation()
    if problem is not None:
        return _invite_page()
    delegations.accept(get_session(), delegation, current_user._get_current_object())
    session.pop(INVITE_KEY, None)
    return _accepted(current_user._get_current_object(), delegation)


@bp.post("/invite/account")
def invitation_account() -> Response | tuple[str, int]:
    """Make a relative's own account (never the patient's), sign in with it and accept the invitation."""
    delegation, problem = _invitation()
    if problem is not None or current_user.is_authenticated:
        return _invite_page()
    data = delegations.AccountInput(name=request.form.get("name", "").strip()[:300],
                                    email=request.form.get("email", "").strip()[:300],
                                    password=request.form.get("password", ""),
                                    password_again=request.form.get("password_again", ""))
    user, codes = delegations.create_relative_account(get_session(), data, delegation)
    if user is None:
        form = {"name": data.name, "email": data.email}
        return _invite_page(form, {name: ACCOUNT_ERRORS[code] for name, code in codes.items()}, 422)
    session.clear()
    login_user(user)
    session.permanent = True
    return _accepted(user, delegation)


def _choices() -> tuple[list[tuple[Delegation, Patient]], Patient | None]:
    """The people this account may act for now, and the account's own patient record (a patient who also helps)."""
    db = get_session()
    own = plans.patient_for_user(db, current_user.id) if current_user.role == Role.PATIENT else None
    return usable_for_user(db, current_user.id, stockholm_today()), own


@bp.get("/choose")
def choose() -> Response | str:
    """'Vems vårdplan vill du se?': the people this account may act for, and 'Min egen' for a patient."""
    if not current_user.is_authenticated:
        return login_redirect()
    usable, own = _choices()
    if own is None and len(usable) == 1:
        session[ACTING_KEY] = usable[0][0].id  # nothing to choose between
        return redirect(url_for(landing(usable[0][0])), code=303)
    return render_template("relatives/public/choose.html", usable=usable, own=own, error=False,
                           next=request.args.get("next", ""))


@bp.post("/choose")
def choose_submit() -> Response | tuple[str, int]:
    """Act for the person chosen (or as oneself) from now on, and go on to the page asked for or their start."""
    if not current_user.is_authenticated:
        return login_redirect()
    usable, own = _choices()
    choice, target = request.form.get("choice", ""), request.form.get("next", "")
    chosen = next((d for d, _p in usable if d.id == parse_id(choice)), None)
    if (choice != OWN or own is None) and chosen is None:
        log(Action.DENIED, f"delegation:{choice[:20]}", None)
        return render_template("relatives/public/choose.html", usable=usable, own=own, error=True, next=target), 422
    session[ACTING_KEY] = chosen.id if chosen is not None else OWN
    home = url_for(landing(chosen)) if chosen is not None else url_for("plans.patient.start")
    return redirect(target if is_local_path(target) and target.startswith("/plan") else home, code=303)
