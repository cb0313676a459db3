"""Care plans: who may see which plan (access.py), the timeline and its items, building a plan from national content,
its reading, handover, history, emergency access and the paper plan; for the patient and for the care team."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.plans import access, patient, registration, staff  # noqa: F401 (registration adds to staff.bp)

    feature = Blueprint("plans", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    feature.register_blueprint(staff.bp)
    app.register_blueprint(feature)
    app.context_processor(access.layout_context)
