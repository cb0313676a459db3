"""Care plans: who may see which plan (access.py), the timeline and its items, building a plan from national content,
its reading, handover, history, emergency access and the paper plan; for the patient and for the care team."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.plans import (  # noqa: F401 (registration, contact_details, lifecycle, handover add to staff.bp)
        access,
        calendar,
        contact_details,
        handover,
        lifecycle,
        patient,
        registration,
        sharing,
        staff,
    )

    feature = Blueprint("plans", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    feature.register_blueprint(staff.bp)
    feature.register_blueprint(calendar.bp)
    app.register_blueprint(feature)
    app.context_processor(access.layout_context)
