"""Commands: `flask --app wsgi db upgrade`, `flask --app wsgi demo-data`."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import db
from portal.services.demo import demo_accounts, load_demo_data

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
        loaded = load_demo_data(session, date.today())
    click.echo("Demo data loaded." if loaded else "The database already has accounts: demo data not loaded.")
    click.echo("Demo accounts (all invented):")
    for account in demo_accounts():
        click.echo(f"  {account.role:8} {account.name:14} sign in with {account.sign_in:30} "
                   f"password {account.password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_data)
