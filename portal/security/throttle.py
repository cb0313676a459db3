"""Anti-automation (ASVS V6): Flask-Limiter per client address, and per account once signed in, on the endpoints a
script could use to guess or to harvest — named in one table here, so no feature has to remember it — and the
growing wait per account after failed sign-ins, kept in the database so that it holds across workers and restarts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase

from flask import Flask, Response, current_app, make_response, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user
from sqlmodel import select
from werkzeug.exceptions import TooManyRequests

from portal.core import clock
from portal.core.personal_id import PersonalId
from portal.db import get_session
from portal.models import User
from portal.security import services
from portal.web.errors import render_error


@dataclass(frozen=True)
class Rule:
    """Limits shared by a group of endpoints (names, or patterns like 'relatives.public.invitation*')."""

    endpoints: tuple[str, ...]
    per_address: str
    per_account: str | None = None  # when an account is signed in
    only_refused: bool = False  # count only answers of 404 (wrong secrets), not the right ones


RULES: dict[str, Rule] = {
    # The account that is named gets the growing wait instead (services.sign_in_wait), whatever the address.
    "sign_in": Rule(("accounts.login_submit",), "30/minute;300/hour"),
    # e-ID: each start and each way back costs the identity provider (and us) a round trip.
    "eid": Rule(("accounts.eid_start", "accounts.eid_callback"), "30/minute;300/hour"),
    "invitation": Rule(("relatives.public.invitation*",), "30/minute;200/hour", "20/minute;100/hour"),
    "account_setup": Rule(("organisation.public.welcome_open", "organisation.public.welcome_password"),
                          "30/minute;200/hour"),
    # "Hitta patient" and the two forms that also look a patient up by personal identity number.
    "patient_lookup": Rule(("plans.staff.patient_search", "plans.staff.plan_new", "plans.staff.emergency",
                            "plans.staff.patient_new"),
                           "120/minute;1200/hour", "60/minute;600/hour"),
    # The second factor's codes and passkeys, and the activation letter's code (each account or number also gets
    # the growing wait, under a key of its own: accounts/second_factor).
    "second_factor": Rule(("accounts.factor.verify_submit", "accounts.factor.verify_passkey",
                           "accounts.factor.setup_app", "accounts.factor.setup_passkey"), "30/minute;300/hour"),
    "activation": Rule(("accounts.activation.start_submit", "accounts.activation.account_submit"),
                       "20/minute;200/hour"),
    # The private calendar feed (a secret in the address): wrong secrets count, so guessing is slowed, while the
    # calendar services that fetch many patients' feeds from one address are not.
    "calendar_feed": Rule(("plans.public.calendar_feed",), "20/minute;100/hour", only_refused=True),
    # Other systems' FHIR API and its token endpoint (bearer tokens, no signed-in account): per address.
    "fhir_api": Rule(("fhir.api.*", "fhir.oauth.token"), "300/minute;6000/hour"),
}
FALLBACK_RETRY_AFTER = 60


class Slowed(TooManyRequests):
    """This account must wait before its password is checked again."""


def _address() -> str:
    return request.remote_addr or "unknown"


def _account() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def _anonymous() -> bool:
    return not current_user.is_authenticated


def _refused(response: Response) -> bool:
    return response.status_code == 404


def throttled_endpoints(app: Flask, rule: Rule) -> list[str]:
    """The app's endpoints that a rule covers."""
    return sorted(name for name in app.view_functions if any(fnmatchcase(name, p) for p in rule.endpoints))


def _limit(app: Flask, limiter: Limiter) -> None:
    """Wrap each covered view in its group's shared limits (one budget per group, per address and per account)."""
    for group, rule in RULES.items():
        decorators = [limiter.shared_limit(rule.per_address, scope=f"{group}:address", key_func=_address,
                                           deduct_when=_refused if rule.only_refused else None)]
        if rule.per_account:
            decorators.append(limiter.shared_limit(rule.per_account, scope=f"{group}:account", key_func=_account,
                                                   exempt_when=_anonymous))
        for endpoint in throttled_endpoints(app, rule):
            for decorate in decorators:
                app.view_functions[endpoint] = decorate(app.view_functions[endpoint])


def retry_after(error: TooManyRequests) -> int:
    """Seconds until a refused request may be tried again (for the Retry-After header and the message)."""
    if isinstance(error.retry_after, int):
        return max(1, error.retry_after)
    limiter = current_app.extensions.get("portal_limiter")
    if isinstance(error, RateLimitExceeded) and limiter is not None and limiter.current_limit is not None:
        return max(1, math.ceil(limiter.current_limit.window.reset_time - time.time()))
    return FALLBACK_RETRY_AFTER


def try_again_at(seconds: int) -> datetime:
    """When to try again, on the minute (rounded up, so that trying at the time shown works)."""
    at = clock.utcnow() + timedelta(seconds=seconds)
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1 if at.second or at.microsecond else 0)


def too_many_page(error: TooManyRequests) -> Response:
    """Our own 429 page, with Retry-After."""
    response = make_response(render_error(429))
    response.headers["Retry-After"] = str(retry_after(error))
    return response


# --- the growing wait per account, for accounts.login_submit ------------------------------------------------------

def _account_key(identifier: PersonalId | str) -> str:
    typed = identifier.digits if isinstance(identifier, PersonalId) else identifier.strip().lower()
    return services.keyed_hash(current_app.config["SECRET_KEY"], "account", typed)


def refuse_if_slowed(identifier: PersonalId | str) -> None:
    """429 before the password is even checked, while this account waits after repeated failed sign-ins."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    wait = services.sign_in_wait(get_session(), _account_key(identifier), clock.utcnow())
    if wait is not None:
        raise Slowed(retry_after=max(1, math.ceil(wait.total_seconds())))


def _account_id(identifier: PersonalId | str) -> int | None:
    """The account a typed identifier names, if any (for the administrator's sign-in log)."""
    column = User.personal_id if isinstance(identifier, PersonalId) else User.email
    typed = identifier.digits if isinstance(identifier, PersonalId) else identifier.strip().lower()
    return get_session().exec(select(User.id).where(column == typed)).first() if typed else None


def note_sign_in(identifier: PersonalId | str, succeeded: bool) -> None:
    """Log the password attempt (as keyed hashes): failures in a row slow the account down, a success starts afresh.
    A right password is only the first step (the second factor is logged on its own), and the log says so."""
    address = services.keyed_hash(current_app.config["SECRET_KEY"], "address", _address())
    services.record_sign_in(get_session(), _account_key(identifier), address, succeeded, clock.utcnow(),
                            user_id=_account_id(identifier), method="password",
                            detail="first_factor" if succeeded else "")


def init_app(app: Flask) -> None:
    """Run after every feature has registered its views: the rules find them by endpoint name."""
    app.register_error_handler(TooManyRequests, too_many_page)
    if not app.config["RATELIMIT_ENABLED"]:
        return
    limiter = Limiter(key_func=_address, app=app, strategy="moving-window", in_memory_fallback_enabled=True)
    app.extensions["portal_limiter"] = limiter
    _limit(app, limiter)
