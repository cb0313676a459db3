"""The activation letter: the nurse prints it from the plan (accounts.staff), and the patient uses it on /activate
(accounts.activation) to set a password and an app for codes, see the recovery codes and reach the plan."""

from __future__ import annotations

import io
import math

import segno
from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from portal.accounts.forms import PERSONAL_ID_MESSAGES
from portal.accounts.second_factor import activation
from portal.accounts.second_factor import services as factor
from portal.core import clock
from portal.core.access_log import Action
from portal.core.personal_id import InvalidPersonalId, parse_personal_id
from portal.db import get_session
from portal.models import Role
from portal.plans.access import editable_plan, log
from portal.plans.services import plans
from portal.security import services as security
from portal.security import sign_in_log
from portal.security.sign_in_log import EventKind, Method
from portal.security.throttle import try_again_at
from portal.web.guards import require_role
from portal.web.i18n import format_clock

staff = Blueprint("staff", __name__, url_prefix="/staff")
staff.before_request(require_role(Role.STAFF))
public = Blueprint("activation", __name__, url_prefix="/activate")

STEP = "_activation"
ERRORS = {
    "letter": _l("The number and the code do not match a valid letter. Check them, or ask your clinic for a new "
                 "letter."),
    "code_missing": _l("Write the code from your activation letter."),
    "password_short": _l("Choose a password with at least 10 characters."),
    "password_long": _l("Choose a shorter password (at most 256 characters)."),
    "password_match": _l("Write the same password twice."),
    "code_wrong": _l("The code does not match. Check that the app shows Min vårdplan, and write the newest code."),
    "app_code_missing": _l("Write the 6-digit code from your app."),
    "letter_gone": _l("This letter can no longer be used. Ask your clinic for a new one."),
}


@staff.post("/plans/<int:plan_id>/activation-letter")
def activation_letter(plan_id: int) -> tuple[str, int]:
    """'Skriv ut aktiveringsbrev': a new one-time code for the patient (the older letter stops working), to print."""
    found, patient, unit_id = editable_plan(plan_id, f"activation_letter:{plan_id}")
    printed = activation.print_letter(get_session(), patient, current_user._get_current_object(), clock.utcnow())
    log(Action.CREATE, f"activation_letter:{printed.letter.id}", patient.id, unit_id)
    return render_template("accounts/staff/activation_letter.html", plan=found, patient=patient, code=printed.code,
                           letter=printed.letter, contact=plans.contact_for(get_session(), found)), 200


# --- the patient's side ----------------------------------------------------------------------------------------------

def _key(number: str) -> str:
    return security.keyed_hash(current_app.config["SECRET_KEY"], "activation", number)


def _slowed(number: str) -> LazyString | None:
    left = security.sign_in_wait(get_session(), _key(number), clock.utcnow()) if current_app.config[
        "RATELIMIT_ENABLED"] else None
    return None if left is None else _l("You have tried many times. For your safety, wait until %(time)s and try "
                                        "again.", time=format_clock(try_again_at(math.ceil(left.total_seconds()))))


def _note(number: str, succeeded: bool) -> None:
    address = security.keyed_hash(current_app.config["SECRET_KEY"], "address", request.remote_addr or "unknown")
    sign_in_log.record_sign_in(get_session(), method=Method.ACTIVATION, succeeded=succeeded, now=clock.utcnow(),
                               address_key=address, account_key=_key(number))


def _start_page(typed: dict[str, str], errors: dict[str, LazyString], status: int = 200) -> tuple[str, int]:
    return render_template("accounts/activation/start.html", typed=typed, errors=errors), status


@public.get("")
def start() -> tuple[str, int]:
    """Step 1: the personal (or reserve) number and the code from the letter."""
    return _start_page({}, {})


def _typed_number(typed: dict[str, str]) -> tuple[str | None, dict[str, LazyString]]:
    try:
        return parse_personal_id(typed["personal_id"]).digits, {}
    except InvalidPersonalId as error:
        return None, {"personal_id": PERSONAL_ID_MESSAGES[error.reason]}


@public.post("")
def start_submit() -> Response | tuple[str, int]:
    """A right code opens step 2; a wrong one says so (never which part) and slows further tries down."""
    typed = {name: request.form.get(name, "")[:60].strip() for name in ("personal_id", "code")}
    number, errors = _typed_number(typed)
    if not typed["code"]:
        errors["code"] = ERRORS["code_missing"]
    if errors or number is None:
        return _start_page(typed, errors, 422)
    if (slowed := _slowed(number)) is not None:
        return _start_page(typed, {"form": slowed}, 429)
    letter = activation.open_letter(get_session(), number, typed["code"], clock.utcnow())
    _note(number, succeeded=letter is not None)
    if letter is None:
        return _start_page(typed, {"form": ERRORS["letter"]}, 422)
    session[STEP] = {"letter": letter.id, "number": number, "secret": factor.new_totp_secret()}
    return redirect(url_for("accounts.activation.account"), code=303)


def _step() -> dict[str, object] | None:
    state, now = session.get(STEP), clock.utcnow()
    if not isinstance(state, dict) or activation.usable(get_session(), int(state.get("letter", 0)), now) is None:
        return None
    return state


def _account_page(state: dict[str, object], errors: dict[str, LazyString], status: int = 200) -> tuple[str, int]:
    return render_template("accounts/activation/account.html", secret=factor.grouped(str(state["secret"])),
                           errors=errors), status


@public.get("/account")
def account() -> Response | tuple[str, int]:
    """Step 2: choose a password and set up the app for codes."""
    state = _step()
    return _account_page(state, {}) if state else redirect(url_for("accounts.activation.start"))


@public.get("/qr.svg")
def qr() -> Response:
    """The QR code of the secret on the step-2 page."""
    state = _step()
    if state is None:
        return redirect(url_for("accounts.activation.start"))
    buffer = io.BytesIO()
    uri = factor.provisioning_uri(str(state["secret"]), str(state["number"])[:8])
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=4, xmldecl=False)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@public.post("/account")
def account_submit() -> Response | tuple[str, int]:
    """Use the letter: password and app kept, signed in, the recovery codes shown once, then the plan."""
    state, db = _step(), get_session()
    letter = activation.usable(db, int(state["letter"]), clock.utcnow()) if state else None
    if state is None or letter is None:
        return redirect(url_for("accounts.activation.start"), code=303)
    typed = activation.Activation(password=request.form.get("password", ""), code=request.form.get("code", "")[:40],
                                  password_again=request.form.get("password_again", ""), secret=str(state["secret"]))
    user = activation.activate(db, letter, typed, clock.utcnow())
    if isinstance(user, dict):
        return _account_page(state, {name: ERRORS[code] for name, code in user.items()}, 422)
    codes = factor.issue_recovery_codes(db, user, clock.utcnow())
    session.clear()
    login_user(user)
    session.permanent = True
    sign_in_log.note(EventKind.SECOND_FACTOR_ENROLLED, account=user, method=Method.TOTP, detail="activation")
    sign_in_log.note_sign_in(Method.ACTIVATION, account=user, succeeded=True)
    return render_template("accounts/factor/recovery_codes.html", codes=codes, target=url_for("accounts.home")), 200
