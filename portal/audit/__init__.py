"""The access log's pages: the patient's 'who has looked at my plan' and the responsible unit's review and CSV.
(The log is written by portal.core.access_log, in the same transaction as the work it describes.)"""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.audit import patient, staff, words

    feature = Blueprint("audit", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    feature.register_blueprint(staff.bp)
    app.register_blueprint(feature)
    words.init_app(app)
