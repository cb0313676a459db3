"""`flask --app wsgi send-notifications [--loop SECONDS]`: send the e-mails that are due."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.core.clock import utcnow
from portal.db import unit_of_work
from portal.notifications import mailer
from portal.notifications.services import SendReport, send_due


def _send_once(send: mailer.Sender) -> SendReport:
    with unit_of_work(current_app) as session:
        return send_due(session, send, utcnow(), compose=mailer.compose_new_message,
                        compose_invitation=mailer.compose_invitation,
                        compose_plan_shared=mailer.compose_plan_shared)


def _print_report(report: SendReport) -> None:
    click.echo(f"sent {report.sent}, failed {report.failed}, gave up {report.gave_up}")


@click.command("send-notifications")
@click.option("--loop", "interval", type=click.IntRange(min=1), default=None, metavar="SECONDS",
              help="Keep running: send what is due every SECONDS until stopped with Ctrl+C.")
@with_appcontext
def send_notifications(interval: int | None) -> None:
    """Send the e-mails that are due ("you have a new message"), then print how it went."""
    try:
        sender = mailer.sender_for(current_app)
    except mailer.MailerConfigError as error:
        raise click.ClickException(str(error)) from None
    with sender:
        if interval is None:
            _print_report(_send_once(sender))
            return
        click.echo(f"Sending due e-mails every {interval} seconds. Stop with Ctrl+C.")
        try:
            while True:
                report = _send_once(sender)
                if report != SendReport():
                    _print_report(report)
                time.sleep(interval)
        except KeyboardInterrupt:
            click.echo("Stopped.")
