"""Notifications: the outbox of short e-mails that something new is waiting (never what), how they are sent, and the
patient's choice to get them."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.notifications import commands, patient
    from portal.notifications.services import queue_plan_shared
    from portal.plans.services.lifecycle import plan_shared

    plan_shared.connect(queue_plan_shared)  # the patient hears of a shared plan (connecting twice is one receiver)

    feature = Blueprint("notifications", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    app.register_blueprint(feature)
    app.cli.add_command(commands.send_notifications)
