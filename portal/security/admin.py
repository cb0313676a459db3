"""The administrator's security pages: the last day's failed sign-ins, slowed accounts, denied and emergency accesses,
hour by hour; and the sign-in log, event by event, on screen or as a CSV file."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core import clock
from portal.db import get_session
from portal.models import Role
from portal.security import services, sign_in_log
from portal.security.services import EventKind
from portal.security.sign_in_log import Method
from portal.web.guards import require_role
from portal.web.htmx import in_place
from portal.web.inputs import id_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role(Role.ADMIN))

EXPORT_DAYS = 90
KINDS = {
    EventKind.SIGN_IN_SUCCEEDED: _l("Signed in"),
    EventKind.SIGN_IN_FAILED: _l("Sign-in failed"),
    EventKind.ACCOUNT_SLOWED: _l("Account must wait"),
    EventKind.SIGN_OUT: _l("Signed out"),
    EventKind.SECOND_FACTOR_ENROLLED: _l("Second factor added"),
    EventKind.SECOND_FACTOR_REMOVED: _l("Second factor removed"),
    EventKind.ACCOUNT_CREATED: _l("Account created"),
    EventKind.ACCOUNT_CHANGED: _l("Account changed"),
}
METHODS = {
    Method.EID: _l("e-ID"),
    Method.PASSWORD: _l("Password"),
    Method.PASSKEY: _l("Passkey"),
    Method.TOTP: _l("Code from an app"),
    Method.RECOVERY: _l("Recovery code"),
    Method.ACTIVATION: _l("Activation letter"),
}


@bp.get("/security")
def report() -> str:
    """Each of the last 24 hours in a table, the hours worth a look marked, and the totals."""
    rows = services.hourly_figures(get_session(), clock.utcnow())
    return render_template("security/admin/report.html", rows=rows, totals=services.totals(rows),
                           attention=services.ATTENTION)


@bp.get("/security/sign-ins")
def sign_ins() -> str:
    """The sign-in log of the administrator's own care provider (sign_in_log.visible_to), newest first, 50 at a time
    ('Show older', ?before=<event id>; under htmx only the rows)."""
    page = sign_in_log.page(get_session(), current_user.provider_id, id_arg("before"))
    template = "security/partials/sign_ins_more.html" if in_place() else "security/admin/sign_ins.html"
    return render_template(template, page=page, kinds=KINDS, methods=METHODS)


@bp.get("/security/sign-ins.csv")
def sign_ins_csv() -> Response:
    """The last 90 days of the sign-in log as a CSV file (the same events the administrator sees on screen)."""
    rows = sign_in_log.since(get_session(), current_user.provider_id, clock.utcnow() - timedelta(days=EXPORT_DAYS))
    return Response(sign_in_log.csv_text(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="sign-in-log.csv"'})
