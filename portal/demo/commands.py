"""`flask --app wsgi demo-data`: load invented demo data into an empty database and list the demo accounts."""

from __future__ import annotations

import click
from flask import current_app

from portal.core.clock import stockholm_today
from portal.db import unit_of_work
from portal.demo.services import DEMO_API_CLIENT, demo_accounts, demo_totp_secret, load_demo_data


@click.command("demo-data")
def demo_data() -> None:
    """Load invented demo data into an empty database (safe to run again) and list the demo accounts."""
    with unit_of_work(current_app) as session:
        loaded = load_demo_data(session, stockholm_today())
    click.echo("Demo data loaded." if loaded else "The database already has accounts: demo data not loaded.")
    click.echo("Demo accounts (all invented):")
    for account in demo_accounts():
        click.echo(f"  {account.role:8} {account.name:14} sign in with {account.sign_in:30} "
                   f"password {account.password}  TOTP key {demo_totp_secret(account.sign_in)}")
    name, client_id, secret = DEMO_API_CLIENT
    click.echo(f"Demo FHIR API client: {name}, client_id {client_id}, client_secret {secret} (see README)")
