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
    from portal.accounts import oidc_views, views

    oidc_views.register()  # accounts.eid_*: sign-in with e-ID, on the accounts blueprint
    from portal.accounts.second_factor import activation_views
    from portal.accounts.second_factor import views as second_factor

    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.unauthorized_handler(login_redirect)
    login_manager.session_protection = "basic"
    if not views.bp._got_registered_once:  # children join once per process; a blueprint is fixed once registered
        views.bp.register_blueprint(second_factor.bp)  # accounts.factor.*: the second step of a password sign-in
        views.bp.register_blueprint(activation_views.public)  # accounts.activation.*: /activate with a letter's code
        views.bp.register_blueprint(activation_views.staff)  # accounts.staff.*: the nurse prints the letter
    app.register_blueprint(views.bp)
