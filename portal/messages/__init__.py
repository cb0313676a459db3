"""Messages between the patient (or a relative) and the care team: one thread per plan, the nurses' inbox, and the
unread count in the patient's navigation."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.messages import patient, staff

    feature = Blueprint("messages", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    feature.register_blueprint(staff.bp)
    app.register_blueprint(feature)
    app.context_processor(patient.layout_context)
    app.context_processor(staff.layout_context)
