"""What every page template needs: the layout to extend and the navigation for the user's role."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.htmx import wants_fragment


@dataclass(frozen=True)
class NavItem:
    label: LazyString
    endpoint: str | None  # None: the feature is coming; it is named as coming, never a broken link
    section: str


NAVIGATION = {
    "patient": (
        NavItem(_l("My care plan"), "patient.start", "patient.start"),
        NavItem(_l("Timeline"), "patient.timeline", "patient.timeline"),
        NavItem(_l("Messages"), None, "messages"),
        NavItem(_l("Reading"), None, "reading"),
        NavItem(_l("Forms"), None, "forms"),
    ),
    "staff": (
        NavItem(_l("My patients"), "staff.caseload", "staff.caseload"),
        NavItem(_l("Inbox"), None, "inbox"),
    ),
}
SECTION_OF = {"patient.item": "patient.timeline", "staff.plan": "staff.caseload"}


def _layout_context() -> dict[str, object]:
    role = current_user.role if current_user.is_authenticated else None
    endpoint = request.endpoint or ""
    return {
        "layout": "layouts/fragment.html" if wants_fragment() else "base.html",
        "nav_items": NAVIGATION.get(role or "", ()),
        "nav_section": SECTION_OF.get(endpoint, endpoint),
        "demo_banner": current_app.config["PORTAL_ENV"] != "production",
    }


def init_app(app: Flask) -> None:
    app.context_processor(_layout_context)
