"""`flask --app wsgi content import`: load the pack; changed diagnoses become new versions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.content.services import store
from portal.content.services.pack import CONTENT, load_pack
from portal.db import unit_of_work

content_cli = AppGroup("content", help="National content per diagnosis (portal/content/pack/<diagnosis>/).")


@content_cli.command("import")
@click.option("--publish", is_flag=True, help="Publish each new version at once (for demo data and tests).")
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Read the pack from another folder.")
def content_import(publish: bool, path: Path | None) -> None:
    """Load every diagnosis folder; changed content becomes a new version, unchanged content is left alone.

    A broken diagnosis is named with its file and line and nothing of it is imported; the others still are.
    """
    packs, errors = load_pack(path or CONTENT)
    with unit_of_work(current_app) as session:
        results = store.import_packs(session, packs, publish=publish)
    created = [f"{result.key} v{result.version}" for result in results if result.created]
    click.echo(f"New versions: {', '.join(created)}." if created else "All diagnoses are up to date.")
    for error in errors:
        click.echo(f"Not imported: {error}", err=True)
    if errors:
        raise SystemExit(1)
