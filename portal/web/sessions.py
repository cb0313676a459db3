"""How long a sign-in lasts: 30 minutes without activity, 12 hours at most. Background requests are not activity.

The times live in the signed session cookie: `_started` (when the person signed in) and `_seen` (their last own
request). A poll that only asks "anything new?" is marked `@background`: it neither counts as activity nor sets a
cookie, so a tab left open still times out. Two minutes before the end, `static/js/session.js` opens a dialog that
offers to stay signed in (WCAG 2.2.1); without JavaScript the next request simply finds the session over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask, current_app, request, session
from flask_login import current_user, logout_user, user_logged_in

from portal.core.clock import utcnow

View = TypeVar("View", bound=Callable[..., Any])
STARTED, SEEN, ENDED = "_started", "_seen", "signed_out"
IDLE, ABSOLUTE = "idle", "absolute"


def background(view: View) -> View:
    """Mark a view as a background request (a poll): it does not keep the sign-in alive."""
    view.background = True  # type: ignore[attr-defined]
    return view


def is_background() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "background", False))


def _now() -> int:
    return int(utcnow().timestamp())


@dataclass(frozen=True)
class Remaining:
    """Seconds left of this sign-in: until the idle limit and until the absolute limit (whichever comes first)."""

    idle: int
    absolute: int

    @property
    def seconds(self) -> int:
        return max(0, min(self.idle, self.absolute))


def remaining() -> Remaining:
    """What is left of the signed-in session now (0 when it is over)."""
    now = _now()
    idle = int(current_app.config["SESSION_IDLE_LIFETIME"].total_seconds())
    absolute = int(current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds())
    return Remaining(idle=session.get(SEEN, now) + idle - now, absolute=session.get(STARTED, now) + absolute - now)


def _started(_app: Flask, **_extra: object) -> None:
    """A fresh sign-in: both clocks start now."""
    session[STARTED] = session[SEEN] = _now()


def _check() -> None:
    """Before every request: end a sign-in that has run out; count the person's own requests as activity."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return  # files the browser fetches by itself are not activity (and need no account)
    left = remaining()
    if left.seconds <= 0:
        logout_user()
        session.clear()
        session[ENDED] = IDLE if left.idle <= 0 else ABSOLUTE
        return
    if STARTED not in session:
        session[STARTED] = _now()
    if not is_background() and session.get(SEEN) != _now():
        session[SEEN] = _now()


def ended_reason() -> str | None:
    """Why the last sign-in ended by itself ('idle' or 'absolute'), told once on the sign-in page."""
    return session.pop(ENDED, None)


def _layout() -> dict[str, object]:
    """For the stay-signed-in dialog: seconds left now, and how long before the end it opens."""
    if not current_user.is_authenticated:
        return {"session_left": None}
    return {"session_left": remaining().seconds,
            "session_warning": int(current_app.config["SESSION_WARNING"].total_seconds())}


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_LIFETIME", timedelta(minutes=30))
    app.config.setdefault("SESSION_ABSOLUTE_LIFETIME", timedelta(hours=12))
    app.config.setdefault("SESSION_WARNING", timedelta(minutes=2))
    app.before_request(_check)
    app.context_processor(_layout)
    user_logged_in.connect(_started, app)
