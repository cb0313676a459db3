"""Min vårdplan: the app factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal.config import load_config


def create_app(config: dict[str, object] | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding it (tests)."""
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})
    register_extensions(app)
    register_blueprints(app)
    return app


def register_extensions(app: Flask) -> None:
    from portal import assets, auth_session, cli, db, errors, htmx, i18n, labels, layout, security, text
    from portal.extensions import compress, csrf

    db.init_app(app)
    csrf.init_app(app)
    compress.init_app(app)
    htmx.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    layout.init_app(app)
    text.init_app(app)
    auth_session.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)


def register_blueprints(app: Flask) -> None:
    from portal import auth, editor, patient, public, staff

    for blueprint in (public.bp, auth.bp, patient.bp, staff.bp, editor.bp):
        app.register_blueprint(blueprint)
