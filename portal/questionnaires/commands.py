"""`flask --app wsgi forms import`: load the form definitions; changed ones become new versions."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.db import unit_of_work
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import DefinitionError, load_all

forms_cli = AppGroup("forms", help="Questionnaire definitions (portal/questionnaires/definitions/*.yaml).")


@forms_cli.command("import")
def forms_import() -> None:
    """Load every questionnaire file; a changed file becomes a new version, an unchanged one is left alone."""
    try:
        definitions = load_all()
    except DefinitionError as error:
        raise click.ClickException(str(error)) from error
    with unit_of_work(current_app) as session:
        created = answering.import_definitions(session, definitions)
    click.echo(f"New versions: {', '.join(created)}." if created else "All questionnaires are up to date.")
