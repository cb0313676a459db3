"""The patient's own pages: start page, timeline, items."""

from __future__ import annotations

from flask import Blueprint

from portal.guards import require_role
from portal.models import Role

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(require_role(Role.PATIENT))

from portal.patient import messages, settings, views  # noqa: E402,F401
