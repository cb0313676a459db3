"""`flask --app wsgi security-report`: the last day's security figures per hour, as a plain table."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.core import clock
from portal.db import unit_of_work
from portal.security import services

COLUMNS = ("Hour (Sweden)", "Failed sign-ins", "Slowed accounts", "Denied", "Emergency")


def _line(first: str, row: services.HourFigures, mark: str = "") -> str:
    figures = (row.failed, row.slowed, row.denied, row.emergency)
    return f"{first:<16}" + "".join(f"  {n:>{len(c)}}" for n, c in zip(figures, COLUMNS[1:], strict=True)) + mark


def report_lines(rows: list[services.HourFigures]) -> list[str]:
    """The table: a header, one line per hour (Swedish time; '!' where an hour deserves a look), the totals."""
    header = f"{COLUMNS[0]:<16}" + "".join(f"  {column}" for column in COLUMNS[1:])
    hours = [_line(clock.in_stockholm(row.hour).strftime("%Y-%m-%d %H:00"), row, "  !" if row.attention else "")
             for row in rows]
    return [header, *hours, _line("Total", services.totals(rows))]


@click.command("security-report")
@click.option("--hours", type=click.IntRange(1, 24 * 14), default=services.REPORT_HOURS, show_default=True,
              help="How many hours back, the current one included.")
@with_appcontext
def security_report(hours: int) -> None:
    """Print failed sign-ins, slowed accounts, denied and emergency accesses per hour for the last day."""
    with unit_of_work(current_app) as session:
        rows = services.hourly_figures(session, clock.utcnow(), hours)
    for line in report_lines(rows):
        click.echo(line)
    if any(row.attention for row in rows):
        click.echo("! = more than usual; see the access log and the security log for that hour.")
