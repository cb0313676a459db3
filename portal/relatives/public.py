"""For relatives: accepting an invitation (with an account of their own) and choosing whose care plan to see."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for
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
from portal.relatives import possessive
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
OPEN_ERROR = _l("There is no invitation with this code. Check that you wrote it as in the e-mail.")
ACCOUNT_ERRORS: dict[str, LazyString] = {
    "name": _l("Write your name."),
    "email": _l("Write the e-mail address like name@example.com."),
    "wrong": _l("The code is wrong or too old. Check the code in the e-mail, or start again to get a new one."),
    "restart": _l("The code was wrong too many times. Start again to get a new code."),
    "password_short": _l("Choose a password with at least 10 characters."),
    "password_long": _l("Choose a shorter password (at most 200 characters)."),
    "password_match": _l("Write the same password twice."),
}
ACCOUNT_KEY = "invite_account"  # between the two steps of a new account: see delegations.PendingAccount


def _invitation() -> tuple[Delegation | None, str | None]:
    db = get_session()
    delegation = delegations.find_invitation(db, session.get(INVITE_KEY, ""))
    user = current_user if current_user.is_authenticated else None
    return delegation, delegations.invitation_problem(db, delegation, user, utcnow())


def _pending(delegation: Delegation) -> delegations.PendingAccount | None:
    """The new account under way in this session for this invitation, if any."""
    pending = delegations.PendingAccount.from_session(session.get(ACCOUNT_KEY))
    return pending if pending is not None and pending.invitation == delegation.id else None


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _about(patient: Patient | None) -> dict[str, str]:
    """The patient as the invitation and welcome pages name them: in full, by first name, and 'whose' ('Marias')."""
    first = patient.name.split(" ")[0] if patient else ""
    return {"full_name": patient.name if patient else "", "name": first, "whose": possessive(first) if first else ""}


def _open_page(typed: str = "", status: int = 200) -> tuple[str, int]:
    """The form for the invitation's code: the page without JavaScript, and where invite.js sends the link's code."""
    return render_template("relatives/public/invitation_open.html", typed=typed,
                           error=OPEN_ERROR if status == 422 else None), status


def _invite_page(form: dict[str, str] | None = None, errors: dict[str, LazyString] | None = None,
                 status: int = 200) -> tuple[str, int]:
    delegation, problem = _invitation()
    if problem is not None:
        session.pop(INVITE_KEY, None)  # an unusable link is told once, then forgotten
        log(Action.DENIED, "invitation", delegation.patient_id if delegation else None)
        return render_template("relatives/public/invitation.html", problem=PROBLEMS[problem], delegation=None), 400
    if not current_user.is_authenticated and (pending := _pending(delegation)) is not None:
        return render_template("relatives/public/invitation_account_confirm.html", pending=pending,
                               errors=errors or {}), status
    patient = get_session().get(Patient, delegation.patient_id)  # the secret link's holder may know who invites
    return render_template("relatives/public/invitation.html", problem=None, delegation=delegation,
                           about=_about(patient),
                           form=form or {"name": delegation.invite_name, "email": delegation.invite_email},
                           errors=errors or {}), status


@bp.get("/invite")
def invitation() -> tuple[str, int]:
    """The invitation opened in this browser (who invites, or how to accept it), or else the form for its code."""
    return _invite_page() if session.get(INVITE_KEY) else _open_page()


@bp.post("/invite/open")
def invitation_open() -> Response | tuple[str, int]:
    """The code from the e-mail (typed, or sent by invite.js from the link): kept in the session, never in a URL."""
    typed = request.form.get("invitation_code", "")[:200]
    code = delegations.invitation_code(typed)
    if code is None or delegations.find_invitation(get_session(), code) is None:
        log(Action.DENIED, "invitation", None)
        return _open_page(typed, 422)
    session.pop(ACCOUNT_KEY, None)
    session[INVITE_KEY] = code
    return redirect(url_for("relatives.public.invitation"), code=303)


def _accepted(user: User, delegation: Delegation) -> Response:
    """Log the acceptance as the relative acting through it, and say welcome: what they may see, and the way in."""
    actor = Actor.of(user, delegation_id=delegation.id)
    record_access(get_session(), actor, Action.CREATE, f"delegation:{delegation.id}", delegation.patient_id)
    session[ACTING_KEY] = delegation.id
    return redirect(url_for("relatives.public.welcome"), code=303)


@bp.get("/invite/welcome")
def welcome() -> Response | str:
    """After accepting: whose plan, what the relative may see and until when, that the patient can end it at any
    time, and the link to the plan. Only for the access this account acts through and may use today."""
    if not current_user.is_authenticated:
        return login_redirect()
    acting_for = session.get(ACTING_KEY)
    found = delegations.accepted_access(get_session(), current_user.id, acting_for if isinstance(acting_for, int)
                                        else None, stockholm_today())
    if found is None:
        return redirect(url_for("relatives.public.choose"), code=303)
    delegation, patient = found
    actor = Actor.of(current_user._get_current_object(), delegation_id=delegation.id)
    record_access(get_session(), actor, Action.READ, f"delegation:{delegation.id}", patient.id)
    return render_template("relatives/public/welcome.html", delegation=delegation, about=_about(patient),
                           start=landing(delegation))


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


def _errors(codes: dict[str, str]) -> dict[str, LazyString]:
    return {name: ACCOUNT_ERRORS[code] for name, code in codes.items()}


@bp.post("/invite/account")
def invitation_account() -> Response | tuple[str, int]:
    """Step 1 of a relative's own account: the same answer whether or not the address has an account already."""
    delegation, problem = _invitation()
    if problem is not None or current_user.is_authenticated:
        return _invite_page()
    form = {"name": request.form.get("name", "").strip()[:300], "email": request.form.get("email", "").strip()[:300]}
    pending = delegations.start_account(get_session(), delegation, form["name"], form["email"], utcnow(), _secret())
    if isinstance(pending, dict):
        return _invite_page(form, _errors(pending), 422)
    session[ACCOUNT_KEY] = asdict(pending)
    return redirect(url_for("relatives.public.invitation"), code=303)


@bp.post("/invite/account/confirm")
def invitation_account_confirm() -> Response | tuple[str, int]:
    """Step 2: the e-mailed code and a password make the account (never the patient's), sign in and accept."""
    delegation, problem = _invitation()
    pending = _pending(delegation) if problem is None and not current_user.is_authenticated else None
    if pending is None:
        return _invite_page()
    typed = delegations.AccountSecrets(code=request.form.get("code", "")[:50],
                                       password=request.form.get("password", ""),
                                       password_again=request.form.get("password_again", ""))
    user = delegations.finish_account(get_session(), delegation, pending, typed, utcnow(), _secret())
    if isinstance(user, dict):
        if user.get("code") == "restart":
            session.pop(ACCOUNT_KEY, None)
            return _invite_page({"name": pending.name, "email": pending.email}, {"form": ACCOUNT_ERRORS["restart"]},
                                422)
        return _invite_page(errors=_errors(user), status=422)
    session.clear()
    login_user(user)
    session.permanent = True
    return _accepted(user, delegation)


@bp.post("/invite/account/restart")
def invitation_account_restart() -> Response:
    """Start the new account again: another address, or a new code."""
    session.pop(ACCOUNT_KEY, None)
    return redirect(url_for("relatives.public.invitation"), code=303)


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
