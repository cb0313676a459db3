"""Signing in with e-ID: the trip to the identity provider and the way back (accounts.eid_start, eid_callback)."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from portal.accounts import oidc, oidc_accounts
from portal.accounts.oidc import EidError, Failure
from portal.accounts.views import INVITE_KEY, bp
from portal.db import get_session
from portal.security import sign_in_log
from portal.security.services import EventKind
from portal.security.sign_in_log import Method
from portal.web.guards import is_local_path

NEXT_KEY = "eid_next"  # where to go after the sign-in, kept while the browser visits the provider
STOPPED = {
    Failure.NOT_CONFIGURED: _l("Sign-in with e-ID is not available here. Sign in with your password instead."),
    Failure.PROVIDER_DOWN: _l("We could not reach the e-ID service. Nothing was changed. Try again in a while."),
    Failure.CANCELLED: _l("You stopped the sign-in. Nothing was changed."),
    Failure.STATE: _l("The sign-in could not be finished. This can happen if it was started in another tab, or the "
                      "page was reloaded. Nothing was changed. Start again."),
    Failure.TOKEN: _l("The answer from the e-ID service could not be trusted. Nothing was changed. Start again."),
    Failure.NO_PERSONAL_ID: _l("The e-ID service did not send a personal identity number that we can read. Nothing "
                               "was changed. Contact your care unit if it happens again."),
    Failure.BAD_PERSONAL_ID: _l("The e-ID service did not send a personal identity number that we can read. "
                                "Nothing was changed. Contact your care unit if it happens again."),
    Failure.NO_ACCOUNT: _l("We cannot find you in Min vårdplan. Your care team adds you when they make your care "
                           "plan. If someone invited you as a relative, open the link in the invitation first."),
    Failure.INACTIVE: _l("This account is closed. Contact your care unit or your administrator."),
}


def register() -> None:
    """Nothing to do but be imported: the routes below are on the accounts blueprint (accounts.eid_*)."""


def _stopped(failure: Failure) -> tuple[str, int]:
    """The calm page for a sign-in that did not go through; the attempt goes to the sign-in log."""
    sign_in_log.note_sign_in(Method.EID, account=None, succeeded=False, detail=failure.value)
    return render_template("accounts/eid_stopped.html", message=STOPPED[failure], failure=failure), 400


def _callback_url() -> str:
    """The address the provider sends the browser back to (in production the registered, public one)."""
    if current_app.config["PORTAL_ENV"] == "production":
        return current_app.config["PUBLIC_BASE_URL"] + url_for("accounts.eid_callback")
    return url_for("accounts.eid_callback", _external=True)


def _sign_in(found: oidc_accounts.Found) -> str:
    """A fresh session for the account (an invitation being accepted survives it); where to go on to."""
    target, invitation = session.get(NEXT_KEY, ""), session.get(INVITE_KEY)
    session.clear()
    login_user(found.user)
    session.permanent = True
    if invitation:
        session[INVITE_KEY] = invitation
    oidc_accounts.signed_in(get_session(), found.user)
    if found.created:
        sign_in_log.note(EventKind.ACCOUNT_CREATED, account=found.user, method=Method.EID)
    sign_in_log.note_sign_in(Method.EID, account=found.user, succeeded=True)
    return target if is_local_path(target) else url_for("accounts.home")


@bp.get("/login/eid")
def eid_start() -> Response | tuple[str, int]:
    """Off to the identity provider, with state, nonce and a PKCE challenge (a link, not a form: the strict CSP's
    form-action would stop a form that leaves the site; the state check on the way back stops forged answers)."""
    target = request.args.get("next", "")
    target = target if is_local_path(target) else ""
    if current_user.is_authenticated:
        return redirect(target or url_for("accounts.home"))
    session[NEXT_KEY] = target
    try:
        return redirect(oidc.start(_callback_url()), code=303)
    except EidError as error:
        return _stopped(error.failure)


@bp.get("/login/eid/callback")
def eid_callback() -> Response | tuple[str, int]:
    """Back from the provider: check its answer, find or make the account, and sign in (or say why not)."""
    try:
        identity = oidc.finish()
        found = oidc_accounts.account_for(get_session(), identity.personal_id, identity.name,
                                          invited=bool(session.get(INVITE_KEY)))
        if found is None or not found.user.is_active:
            raise EidError(Failure.NO_ACCOUNT if found is None else Failure.INACTIVE)
    except EidError as error:
        return _stopped(error.failure)
    return redirect(_sign_in(found), code=303)
