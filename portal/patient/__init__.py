"""The patient's own pages: start page, timeline, items."""

from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from portal.guards import keep_text_on_stale_form, require_role
from portal.models import Role

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.register_error_handler(CSRFError, keep_text_on_stale_form)
bp.before_request(require_role(Role.PATIENT))

from portal.patient import forms, messages, plan_pages, settings, views  # noqa: E402,F401
