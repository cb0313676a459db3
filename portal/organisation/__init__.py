"""Administration of a care provider: its units, its staff and content editors (invited by e-mail, with a one-time
link to choose a password), their work at the units, and turning an account off at once."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.organisation import admin, public

    feature = Blueprint("organisation", __name__, template_folder="templates")
    feature.register_blueprint(admin.bp)
    feature.register_blueprint(public.bp)
    app.register_blueprint(feature)
