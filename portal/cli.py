"""Commands: `flask --app wsgi db upgrade`, `demo-data`, `send-notifications`."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from portal import db, mailer
from portal.services import content, forms
from portal.services.content_pack import CONTENT, load_pack
from portal.services.demo import demo_accounts, load_demo_data, stockholm_today
from portal.services.form_definitions import DefinitionError, load_all
from portal.services.notifications import SendReport, send_due

db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    db.upgrade(current_app, revision)
    click.echo(f"Database is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision", default="base")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (default: an empty database)."""
    db.downgrade(current_app, revision)


@click.command("demo-data")
def demo_data() -> None:
    """Load invented demo data into an empty database (safe to run again) and list the demo accounts."""
    with db.session_scope(current_app) as session:
        loaded = load_demo_data(session, stockholm_today())
    click.echo("Demo data loaded." if loaded else "The database already has accounts: demo data not loaded.")
    click.echo("Demo accounts (all invented):")
    for account in demo_accounts():
        click.echo(f"  {account.role:8} {account.name:14} sign in with {account.sign_in:30} "
                   f"password {account.password}")


def _send_once(send: mailer.Sender) -> SendReport:
    with db.session_scope(current_app) as session:
        return send_due(session, send, datetime.now(UTC), compose=mailer.compose_new_message,
                        compose_invitation=mailer.compose_invitation)


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


forms_cli = AppGroup("forms", help="Questionnaire definitions (portal/questionnaires/*.yaml).")


@forms_cli.command("import")
def forms_import() -> None:
    """Load every questionnaire file; a changed file becomes a new version, an unchanged one is left alone."""
    try:
        definitions = load_all()
    except DefinitionError as error:
        raise click.ClickException(str(error)) from error
    with db.session_scope(current_app) as session:
        created = forms.import_definitions(session, definitions)
    click.echo(f"New versions: {', '.join(created)}." if created else "All questionnaires are up to date.")


content_cli = AppGroup("content", help="National content per diagnosis (portal/content/<diagnosis>/).")


@content_cli.command("import")
@click.option("--publish", is_flag=True, help="Publish each new version at once (for demo data and tests).")
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Read the pack from another folder.")
def content_import(publish: bool, path: Path | None) -> None:
    """Load every diagnosis folder; changed content becomes a new version, unchanged content is left alone.

    A broken diagnosis is named with its file and line and nothing of it is imported; the others still are.
    """
    packs, errors = load_pack(path or CONTENT)
    with db.session_scope(current_app) as session:
        results = content.import_packs(session, packs, publish=publish)
    created = [f"{result.key} v{result.version}" for result in results if result.created]
    click.echo(f"New versions: {', '.join(created)}." if created else "All diagnoses are up to date.")
    for error in errors:
        click.echo(f"Not imported: {error}", err=True)
    if errors:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_data)
    app.cli.add_command(forms_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(send_notifications)
