"""Accounts: signing in and out, the signed-in user on every request, and where each kind of account starts."""

from __future__ import annotations

from flask import Flask

from portal.db import get_session
from portal.extensions import login_manager
from portal.models import User
from portal.web.guards import login_redirect


def _load(token: str) -> User | None:
    from portal.accounts.services import load_user

    return load_user(get_session(), token)


def init_app(app: Flask) -> None:
    from portal.accounts import views

    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.unauthorized_handler(login_redirect)
    login_manager.session_protection = "basic"
    app.register_blueprint(views.bp)
