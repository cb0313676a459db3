"""National content per diagnosis: the pack in pack/, its versions in the database, and the editors' pages."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.content import commands, editor

    feature = Blueprint("content", __name__, template_folder="templates")
    feature.register_blueprint(editor.bp)
    app.register_blueprint(feature)
    app.cli.add_command(commands.content_cli)
