"""Security: throttling of sign-in, invitations and patient look-ups (anti-automation), the security log of sign-in
attempts, and the figures per hour that the admin sees and `security-report` prints."""

from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.models import Role
from portal.web.layout import NavItem

ADMIN_NAVIGATION = (
    NavItem(_l("Units"), "organisation.admin.unit_list", "organisation.admin.unit_list"),
    NavItem(_l("Staff"), "organisation.admin.account_list", "organisation.admin.account_list"),
    NavItem(_l("Content"), "content.editor.index", "content.editor.index"),
    NavItem(_l("Security"), "security.admin.report", "security.admin.report"),
)


def layout_context() -> dict[str, object]:
    """An administrator's navigation (its one home): units, staff, the content and the security figures."""
    if not (current_user.is_authenticated and current_user.role == Role.ADMIN):
        return {}
    endpoint = request.endpoint or ""
    if endpoint.startswith("organisation.admin."):  # a unit's pages under Units, an account's under Staff
        section = "unit_list" if endpoint.startswith("organisation.admin.unit") else "account_list"
        return {"nav_items": ADMIN_NAVIGATION, "nav_section": f"organisation.admin.{section}"}
    return {"nav_items": ADMIN_NAVIGATION}


def init_app(app: Flask) -> None:
    """Last of the features: the throttle finds the endpoints it limits by name."""
    from portal.security import admin, commands, throttle

    feature = Blueprint("security", __name__, template_folder="templates")
    feature.register_blueprint(admin.bp)
    app.register_blueprint(feature)
    throttle.init_app(app)
    app.context_processor(layout_context)
    app.cli.add_command(commands.security_report)
