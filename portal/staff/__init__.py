"""The care team's pages: for now the nurse's own patients and a read-only plan."""

from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from portal.guards import keep_text_on_stale_form, require_role
from portal.models import Role

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.register_error_handler(CSRFError, keep_text_on_stale_form)
bp.before_request(require_role(Role.STAFF))

from portal.staff import builder, forms, messages, oversight, views  # noqa: E402,F401
