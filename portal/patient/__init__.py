"""The patient's own pages: start page, timeline, items."""

from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from portal.guards import keep_text_on_stale_form

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.register_error_handler(CSRFError, keep_text_on_stale_form)


def _guard():  # noqa: ANN202 - registered below; see portal.patient.access.guard
    from portal.patient.access import guard

    return guard()


bp.before_request(_guard)

from portal.patient import forms, messages, plan_pages, relatives, settings, views  # noqa: E402,F401
