"""`flask --app wsgi api-client NAME PROVIDER_ID --scope …`: a client for another system; its secret is shown once."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import unit_of_work
from portal.fhir.services import clients
from portal.models import CareProvider


@click.command("api-client")
@click.argument("name")
@click.argument("provider_id", type=int)
@click.option("--scope", "scopes", multiple=True, type=click.Choice(clients.SCOPES),
              help="What it may do (give several). Default: read plans, patients and forms.")
@with_appcontext
def api_client(name: str, provider_id: int, scopes: tuple[str, ...]) -> None:
    """Create an API client for a care provider's system; prints its id and secret (the secret only now)."""
    with unit_of_work(current_app) as session:
        if session.get(CareProvider, provider_id) is None:
            raise click.BadParameter(f"no care provider with id {provider_id}", param_hint="PROVIDER_ID")
        made = clients.create_client(session, name, provider_id, list(scopes or clients.SCOPES[:3]))
        client_id, scope = made.client.client_id, made.client.scopes
    click.echo(f"client_id:     {client_id}\nclient_secret: {made.secret}\nscope:         {scope}")
    click.echo("The secret is not stored and cannot be shown again.")
