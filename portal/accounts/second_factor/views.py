"""The second step of signing in with a password: a passkey or a code from the app (or a recovery code), and setting
one up on the first sign-in. Only a browser half signed in (pending.py) gets these pages; others go to sign in."""

from __future__ import annotations

import io
import math

import segno
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.accounts.second_factor import passkeys, pending
from portal.accounts.second_factor import services as factor
from portal.accounts.second_factor.pending import Pending
from portal.core import clock
from portal.db import get_session
from portal.models import User
from portal.security.sign_in_log import Method
from portal.security.throttle import try_again_at
from portal.web.i18n import format_clock

bp = Blueprint("factor", __name__, url_prefix="/login")

WRONG = _l("The code is not right. Write the newest code from your app, or one of your recovery codes.")
REUSED = _l("That code has been used already. Wait until the app shows a new code, and write that one.")
NO_CODE = _l("Write the 6-digit code from your app.")
PASSKEY_FAILED = _l("We could not check your passkey. Try again, or use a code from your app.")
SETUP_WRONG = _l("The code does not match. Check that the app shows Min vårdplan, and write the newest code.")
MESSAGES = {factor.CodeCheck.WRONG: WRONG, factor.CodeCheck.REUSED: REUSED}
MAX_CODE_LENGTH = 40


def _slowed(user: User) -> LazyString | None:
    """While wrong codes make this account wait: when to try again."""
    left = pending.wait(user)
    if left is None:
        return None
    return _l("You have tried many times. For your safety, wait until %(time)s and try again.",
              time=format_clock(try_again_at(math.ceil(left.total_seconds()))))


def _verify_page(state: Pending, user: User, error: LazyString | None = None, status: int = 200) -> tuple[str, int]:
    options, challenge = passkeys.authentication_options(get_session(), user, pending.relying_party())
    pending.remember(state, challenge=challenge)
    return render_template("accounts/factor/verify.html", factors=factor.factors(get_session(), user),
                           options=options, error=error, passkey_ok=pending.passkeys_possible()), status


def _passed(state: Pending, user: User, method: Method) -> Response:
    pending.note(user, method, succeeded=True)
    return redirect(pending.finish(state, user), code=303)


def _failed(state: Pending, user: User, method: Method, error: LazyString) -> tuple[str, int]:
    pending.note(user, method, succeeded=False)
    return _verify_page(state, user, _slowed(user) or error, 422)


@bp.get("/verify")
def verify() -> Response | tuple[str, int]:
    """'Confirm that it is you': a passkey, or a code from the app; set one up first if the account has none."""
    found = pending.current()
    if found is None:
        return redirect(url_for("accounts.login"))
    if not factor.factors(get_session(), found[1]).any:
        return redirect(url_for("accounts.factor.setup"))
    return _verify_page(*found)


@bp.post("/verify")
def verify_submit() -> Response | tuple[str, int]:
    """A code from the app (each only once) or a recovery code; wrong codes slow the account down, never lock it."""
    found = pending.current()
    if found is None:
        return redirect(url_for("accounts.login"), code=303)
    state, user = found
    if (slowed := _slowed(user)) is not None:
        return _verify_page(state, user, slowed, 429)
    typed = request.form.get("code", "")[:MAX_CODE_LENGTH].strip()
    if not typed:
        return _verify_page(state, user, NO_CODE, 422)
    method = Method.RECOVERY if factor.looks_like_recovery_code(typed) else Method.TOTP
    result = factor.check_code(get_session(), user, typed, clock.utcnow())
    return _passed(state, user, method) if result == factor.CodeCheck.OK else _failed(state, user, method,
                                                                                       MESSAGES[result])


@bp.post("/verify/passkey")
def verify_passkey() -> Response | tuple[str, int]:
    """The browser's answer from the passkey, checked against the challenge of the page it came from."""
    found = pending.current()
    if found is None:
        return redirect(url_for("accounts.login"), code=303)
    state, user = found
    if (slowed := _slowed(user)) is not None:
        return _verify_page(state, user, slowed, 429)
    answer, challenge = request.form.get("credential", ""), state.challenge
    pending.remember(state, challenge="")  # a challenge is good for one answer
    rp, now = pending.relying_party(), clock.utcnow()
    if challenge and passkeys.authenticate(get_session(), user, rp, answer, challenge, now):
        return _passed(state, user, Method.PASSKEY)
    return _failed(state, user, Method.PASSKEY, PASSKEY_FAILED)


# --- setting up a second factor on the first sign-in ---------------------------------------------------------------

def _setup_page(state: Pending, user: User, errors: dict[str, LazyString] | None = None,
                status: int = 200) -> tuple[str, int]:
    secret = state.secret or factor.new_totp_secret()
    options, challenge = passkeys.registration_options(get_session(), user, pending.relying_party())
    pending.remember(state, secret=secret, challenge=challenge)
    return render_template("accounts/factor/setup.html", secret=factor.grouped(secret), options=options,
                           errors=errors or {}, passkey_ok=pending.passkeys_possible()), status


def _set_up(state: Pending, user: User, method: Method) -> tuple[str, int]:
    """Enrolled: signed in, and the recovery codes shown this once."""
    codes = factor.issue_recovery_codes(get_session(), user, clock.utcnow())
    pending.note_enrolled(user, method)
    pending.note(user, method, succeeded=True)
    target = pending.finish(state, user)
    return render_template("accounts/factor/recovery_codes.html", codes=codes, target=target), 200


def _setup_state() -> tuple[Pending, User] | None:
    """A half sign-in of an account that has no second factor yet (only then may one be added here)."""
    found = pending.current()
    return found if found is not None and not factor.factors(get_session(), found[1]).any else None


@bp.get("/setup")
def setup() -> Response | tuple[str, int]:
    """First sign-in: protect the account with a passkey or an app for codes."""
    found = _setup_state()
    return _setup_page(*found) if found else redirect(url_for("accounts.factor.verify"))


@bp.get("/setup/qr.svg")
def setup_qr() -> Response:
    """The QR code of the secret being set up, for the app's camera (the same secret is on the page as text)."""
    found = _setup_state()
    if found is None or not found[0].secret:
        return redirect(url_for("accounts.login"))
    buffer = io.BytesIO()
    uri = factor.provisioning_uri(found[0].secret, found[1].email or found[1].name)
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=4, xmldecl=False, svgns=True)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.post("/setup/app")
def setup_app() -> Response | tuple[str, int]:
    """The first code from the app proves it was set up: keep the secret, sign in, show the recovery codes."""
    found = _setup_state()
    if found is None or not found[0].secret:
        return redirect(url_for("accounts.factor.verify"), code=303)
    state, user = found
    if (slowed := _slowed(user)) is not None:
        return _setup_page(state, user, {"code": slowed}, 429)
    typed = request.form.get("code", "")[:MAX_CODE_LENGTH]
    if not factor.enrol_totp(get_session(), user, state.secret, typed, clock.utcnow()):
        pending.note(user, Method.TOTP, succeeded=False)
        return _setup_page(state, user, {"code": SETUP_WRONG if typed.strip() else NO_CODE}, 422)
    return _set_up(state, user, Method.TOTP)


@bp.post("/setup/passkey")
def setup_passkey() -> Response | tuple[str, int]:
    """The new passkey from the browser: keep it, sign in, show the recovery codes."""
    found = _setup_state()
    if found is None:
        return redirect(url_for("accounts.factor.verify"), code=303)
    state, user = found
    answer, challenge = request.form.get("credential", ""), state.challenge
    if not (challenge and passkeys.register(get_session(), user, pending.relying_party(), answer, challenge,
                                            clock.utcnow())):
        return _setup_page(state, user, {"passkey": PASSKEY_FAILED}, 422)
    return _set_up(state, user, Method.PASSKEY)
