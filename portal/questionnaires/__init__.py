"""Forms (questionnaires): versioned definitions in definitions/*.yaml, answering them, and the care team's view of
the answers over time and the alerts they raise."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.questionnaires import commands, patient, staff

    feature = Blueprint("questionnaires", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    feature.register_blueprint(staff.bp)
    app.register_blueprint(feature)
    app.cli.add_command(commands.forms_cli)
