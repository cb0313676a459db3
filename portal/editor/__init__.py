"""The content editors' pages: diagnoses and their versions, a patient's-eye preview, publish and retire."""

from __future__ import annotations

from flask import Blueprint

from portal.guards import require_role
from portal.models import Role

bp = Blueprint("editor", __name__, url_prefix="/editor")
bp.before_request(require_role(Role.EDITOR, Role.ADMIN))

from portal.editor import views  # noqa: E402,F401
