"""Notifications: the outbox of short e-mails that something new is waiting (never what), how they are sent, and the
patient's choice to get them."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.notifications import commands, patient

    feature = Blueprint("notifications", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    app.register_blueprint(feature)
    app.cli.add_command(commands.send_notifications)
