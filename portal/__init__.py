"""Min vårdplan: the app factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal import (
    accounts,
    audit,
    content,
    db,
    demo,
    fhir,
    messages,
    notifications,
    organisation,
    plans,
    questionnaires,
    relatives,
    security,
    web,
)
from portal.config import load_config
from portal.extensions import compress, csrf

# security comes last: it throttles the other features' endpoints, which it finds by name.
FEATURES = (accounts, content, plans, messages, notifications, questionnaires, relatives, audit, organisation, fhir,
            demo, security)


def create_app(config: dict[str, object] | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding it (tests)."""
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})
    db.init_app(app)
    csrf.init_app(app)
    compress.init_app(app)
    web.init_app(app)  # first: the layout's defaults, to which the features' context processors add their parts
    for feature in FEATURES:
        feature.init_app(app)
    return app
