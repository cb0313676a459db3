"""The care team's pages: for now the nurse's own patients and a read-only plan."""

from __future__ import annotations

from flask import Blueprint

from portal.guards import require_role
from portal.models import Role

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF))

from portal.staff import messages, views  # noqa: E402,F401
