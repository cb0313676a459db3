"""Invented demo data for `make run` and the tests: people, plans, messages, forms and relatives."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.demo import commands

    app.cli.add_command(commands.demo_data)
