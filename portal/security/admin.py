"""The administrator's security page: the last day's failed sign-ins, slowed accounts, denied and emergency accesses,
hour by hour."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.core import clock
from portal.db import get_session
from portal.models import Role
from portal.security import services
from portal.web.guards import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role(Role.ADMIN))


@bp.get("/security")
def report() -> str:
    """Each of the last 24 hours in a table, the hours worth a look marked, and the totals."""
    rows = services.hourly_figures(get_session(), clock.utcnow())
    return render_template("security/admin/report.html", rows=rows, totals=services.totals(rows),
                           attention=services.ATTENTION)
