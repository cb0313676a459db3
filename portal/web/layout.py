"""What every page template needs: the layout to extend and the navigation for the user's role.

Features add their own parts (the unread count, the relative's banner, the links a relative may use) with context
processors of their own, registered after this one; the defaults here keep every page whole without them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.web.htmx import wants_fragment
from portal.web.i18n import translated


@dataclass(frozen=True)
class Viewer:
    """Who reads a patient page, so that it speaks to them: the patient themself ("Din vårdplan"), a relative about
    the patient ("Marias vårdplan"), or a guardian about the child. `name` is the patient's first name and `whose`
    its possessive ("Marias", "Maria's"); both empty for the patient themself. Set by the relatives feature."""

    kind: str = "self"  # "self", "relative" or "guardian"
    name: str = ""
    whose: str = ""

    @property
    def is_self(self) -> bool:
        return self.kind == "self"

    @property
    def is_guardian(self) -> bool:
        return self.kind == "guardian"


SELF = Viewer()


@dataclass(frozen=True)
class NavItem:
    label: LazyString
    endpoint: str
    section: str
    needs_plan: bool = False  # a patient page that has nothing to show before the care team shares a plan


NAVIGATION = {
    "patient": (
        NavItem(_l("My care plan"), "plans.patient.start", "plans.patient.start"),
        NavItem(_l("Timeline"), "plans.patient.timeline", "plans.patient.timeline", needs_plan=True),
        NavItem(_l("Messages"), "messages.patient.thread", "messages.patient.thread", needs_plan=True),
        NavItem(_l("Reading"), "plans.patient.reading", "plans.patient.reading", needs_plan=True),
        NavItem(_l("Forms"), "questionnaires.patient.form_list", "questionnaires.patient.form_list", needs_plan=True),
        NavItem(_l("More"), "plans.patient.more", "plans.patient.more"),
    ),
    "staff": (
        NavItem(_l("My patients"), "plans.staff.caseload", "plans.staff.caseload"),
        NavItem(_l("Inbox"), "messages.staff.inbox", "messages.staff.inbox"),
        NavItem(_l("Find patient"), "plans.staff.patient_find", "plans.staff.patient_find"),
    ),
    "editor": (
        NavItem(_l("Content"), "content.editor.index", "content.editor.index"),
    ),
}
NAV_LABELS = {item.endpoint: item.label for items in NAVIGATION.values() for item in items}
WIDE_ROLES = ("staff", "editor", "admin")
SECTION_OF = {
    "plans.patient.item": "plans.patient.timeline", "plans.patient.item_new": "plans.patient.timeline",
    "plans.patient.item_edit": "plans.patient.timeline", "plans.patient.item_delete": "plans.patient.timeline",
    "plans.patient.article": "plans.patient.reading", "plans.patient.article_response": "plans.patient.reading",
    "plans.patient.printout": "plans.patient.start", "plans.patient.what_matters": "plans.patient.start",
    "relatives.patient.relative_list": "plans.patient.more", "relatives.patient.relative_invite": "plans.patient.more",
    "audit.patient.access_log": "plans.patient.more", "plans.patient.sharing": "plans.patient.more",
    "fhir.patient.downloads": "plans.patient.more", "fhir.patient.summary": "plans.patient.more",
    "notifications.patient.settings": "plans.patient.more",
    "messages.patient.thread_older": "messages.patient.thread",
    "questionnaires.patient.form_step": "questionnaires.patient.form_list",
    "questionnaires.patient.form_review": "questionnaires.patient.form_list",
    "questionnaires.patient.form_receipt": "questionnaires.patient.form_list",
    "plans.staff.plan": "plans.staff.caseload", "plans.staff.reading": "plans.staff.caseload",
    "plans.staff.history": "plans.staff.caseload", "plans.staff.handover": "plans.staff.caseload",
    "plans.staff.version": "plans.staff.caseload", "plans.staff.item_edit": "plans.staff.caseload",
    "plans.staff.plan_new": "plans.staff.patient_find", "plans.staff.patient_search": "plans.staff.patient_find",
    "plans.staff.patient_new": "plans.staff.patient_find",
    "questionnaires.staff.form_list": "plans.staff.caseload", "questionnaires.staff.form_response":
        "plans.staff.caseload", "questionnaires.staff.response_alerts": "plans.staff.caseload",
    "questionnaires.staff.response_alerts_handle": "plans.staff.caseload",
    "plans.staff.contact_details": "plans.staff.caseload", "plans.staff.contact_details_update": "plans.staff.caseload",
    "messages.staff.thread": "messages.staff.inbox", "messages.staff.thread_older": "messages.staff.inbox",
    "content.editor.version": "content.editor.index", "content.editor.article": "content.editor.index",
}


def _layout_context() -> dict[str, object]:
    role = current_user.role if current_user.is_authenticated else None
    endpoint = request.endpoint or ""
    return {
        "layout": "layouts/fragment.html" if wants_fragment() else "base.html",
        "nav_items": NAVIGATION.get(role or "", ()),
        "nav_section": SECTION_OF.get(endpoint, endpoint),
        "demo_banner": current_app.config["PORTAL_ENV"] != "production",
        "wide": role in WIDE_ROLES,  # the care team's, editors' and administrators' tables use the screen's width
        "unread": None,
        "acting_for": None,
        "viewer": SELF,
        "acting_choices": 0,
        "may": lambda _endpoint: True,
    }


_LINKS: dict[tuple[str, str], str] = {}


def link(endpoint: str) -> str:
    """`url_for(endpoint)` for an endpoint that takes no values: the same address on every page, so it is built once
    per process (and per script root, should the portal be served under a prefix)."""
    key = (request.script_root, endpoint)
    found = _LINKS.get(key)
    if found is None:
        found = _LINKS[key] = url_for(endpoint)
    return found


_PATTERNS: dict[tuple[str, str, tuple[str, ...]], str] = {}
_MARK = 918273645  # the first of the numbers that stand in for the ids while an address is built once


def id_link(endpoint: str, **ids: int) -> str:
    """`url_for(endpoint, **ids)` for an endpoint whose values are whole numbers (an item on a timeline, a row of a
    list): the address around the numbers is built once per process, as a format string ("/staff/plans/{plan_id:d}"),
    and only the numbers change (`:d` takes whole numbers only)."""
    key = (request.script_root, endpoint, tuple(sorted(ids)))
    pattern = _PATTERNS.get(key)
    if pattern is None:
        marks = {str(_MARK + n): name for n, name in enumerate(sorted(ids))}
        address = url_for(endpoint, **{name: int(mark) for mark, name in marks.items()})
        pieces = re.split(f"({'|'.join(marks)})", address)
        pattern = _PATTERNS[key] = "".join(
            f"{{{marks[piece]}:d}}" if piece in marks else piece.replace("{", "{{").replace("}", "}}")
            for piece in pieces)
    return pattern.format_map(ids)


def nav_labels() -> Mapping[str, str]:
    """The menu's names by endpoint in the reader's language, translated once per language (the menus of
    NAVIGATION; a feature's own menu, such as the administrators', brings its labels in its items)."""
    return translated(NAV_LABELS)


def init_app(app: Flask) -> None:
    app.context_processor(_layout_context)
    app.jinja_env.globals.update(link=link, id_link=id_link, nav_labels=nav_labels)
