"""What every page shares: layout, htmx, languages and dates, labels, errors, security headers, guards, assets.

Nothing here imports a feature; features add their parts to the layout with context processors of their own.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.web import (
        assets,
        errors,
        htmx,
        i18n,
        inputs,
        labels,
        layout,
        proxies,
        request_log,
        security,
        sessions,
        stale_forms,
        text,
        views,
    )

    for part in (proxies, request_log, inputs, sessions, htmx, i18n, labels, layout, text, assets, security, errors,
                 stale_forms):
        part.init_app(app)
    app.register_blueprint(views.bp)
