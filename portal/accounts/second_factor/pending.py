"""The half-signed-in state between a right password and the second factor. It lives under one key of the session
and grants nothing: Flask-Login knows nobody until `finish` (every other page treats the visitor as anonymous)."""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user

from portal.accounts.second_factor.passkeys import RelyingParty
from portal.core import clock
from portal.core.drafts import save_draft
from portal.core.personal_id import PersonalId
from portal.db import get_session
from portal.models import User
from portal.security import services as security
from portal.security import sign_in_log
from portal.security.sign_in_log import EventKind, Method
from portal.web.guards import is_local_path

PENDING = "_second_factor"
LIFETIME = timedelta(minutes=10)  # from the right password to the second factor
INVITE_KEY = "invite_token"  # as accounts.views: an invitation being accepted survives the sign-in


@dataclass
class Pending:
    user_id: int
    nonce: str  # the account's session nonce then: a reset or sign-out everywhere ends the half sign-in too
    typed: str  # what was typed to name the account (the sign-in wait's key)
    target: str
    draft: str
    invitation: str | None
    started: int
    secret: str = ""  # the TOTP secret being set up
    challenge: str = ""  # the WebAuthn challenge of the page shown last


def begin(user: User, identifier: PersonalId | str, target: str, draft: str) -> None:
    """The password was right: a fresh session that only remembers who is half signed in."""
    typed = identifier.digits if isinstance(identifier, PersonalId) else identifier
    invitation = session.get(INVITE_KEY)
    session.clear()
    session[PENDING] = asdict(Pending(user_id=user.id or 0, nonce=user.session_nonce, typed=typed, target=target,
                                      draft=draft, invitation=invitation, started=int(clock.utcnow().timestamp())))


def current() -> tuple[Pending, User] | None:
    """The half sign-in of this browser, if it is recent and the account unchanged."""
    stored = session.get(PENDING)
    if not isinstance(stored, dict):
        return None
    try:
        pending = Pending(**stored)
    except TypeError:
        return None
    user = get_session().get(User, pending.user_id)
    too_old = pending.started + LIFETIME.total_seconds() < clock.utcnow().timestamp()
    if user is None or not user.is_active or user.session_nonce != pending.nonce or too_old:
        session.pop(PENDING, None)
        return None
    return pending, user


def remember(pending: Pending, **changes: str) -> None:
    session[PENDING] = {**asdict(pending), **changes}


def finish(pending: Pending, user: User) -> str:
    """Both factors passed: sign in with a fresh session; the address to go on to."""
    session.clear()
    login_user(user)
    session.permanent = True
    if pending.invitation:
        session[INVITE_KEY] = pending.invitation
    user.last_login_at = clock.utcnow()
    get_session().add(user)
    if pending.draft and is_local_path(pending.target):
        save_draft(get_session(), user.id or 0, pending.draft, pending.target)
    return pending.target if is_local_path(pending.target) else "/"


def passkeys_possible() -> bool:
    """Browsers refuse passkeys for an IP address (http://127.0.0.1): offer them only on a domain name."""
    try:
        ipaddress.ip_address(relying_party().id.strip("[]"))
    except ValueError:
        return True
    return False


def relying_party() -> RelyingParty:
    """The site passkeys belong to: WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN, or this request's host (development)."""
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or (request.host.rsplit(":", 1)[0] if request.host else "")
    origin = current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")
    return RelyingParty(id=rp_id, origin=origin)


# --- the growing wait after wrong codes (the same rules as after wrong passwords, a key of its own) ---------------

def _key(user: User) -> str:
    return security.keyed_hash(current_app.config["SECRET_KEY"], "second_factor", str(user.id))


def wait(user: User) -> timedelta | None:
    """How long before another code may be tried (None: now). A right password does not shorten it."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    return security.sign_in_wait(get_session(), _key(user), clock.utcnow())


def note(user: User, method: Method, succeeded: bool) -> None:
    """The attempt in the sign-in log, under this account's second-factor key (failures make it wait)."""
    address = security.keyed_hash(current_app.config["SECRET_KEY"], "address", request.remote_addr or "unknown")
    sign_in_log.record_sign_in(get_session(), method=method, succeeded=succeeded, now=clock.utcnow(), account=user,
                               address_key=address, account_key=_key(user))


def note_enrolled(user: User, method: Method) -> None:
    sign_in_log.note(EventKind.SECOND_FACTOR_ENROLLED, account=user, method=method)
