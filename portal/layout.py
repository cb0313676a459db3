"""What every page template needs: the layout to extend and the navigation for the user's role."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.db import get_session
from portal.htmx import wants_fragment
from portal.models import CarePlan, Patient
from portal.services import messages as msgs
from portal.services import plans


@dataclass(frozen=True)
class NavItem:
    label: LazyString
    endpoint: str | None  # None: the feature is coming; it is named as coming, never a broken link
    section: str


NAVIGATION = {
    "patient": (
        NavItem(_l("My care plan"), "patient.start", "patient.start"),
        NavItem(_l("Timeline"), "patient.timeline", "patient.timeline"),
        NavItem(_l("Messages"), "patient.messages", "patient.messages"),
        NavItem(_l("Reading"), "patient.reading", "patient.reading"),
        NavItem(_l("Forms"), "patient.forms_list", "patient.forms_list"),
    ),
    "staff": (
        NavItem(_l("My patients"), "staff.caseload", "staff.caseload"),
        NavItem(_l("Inbox"), "staff.inbox", "staff.inbox"),
        NavItem(_l("Find patient"), "staff.find_patient", "staff.find_patient"),
    ),
    "editor": (
        NavItem(_l("Content"), "editor.index", "editor.index"),
    ),
}
SECTION_OF = {"patient.item": "patient.timeline", "patient.messages_older": "patient.messages",
              "patient.form_step": "patient.forms_list", "patient.form_review": "patient.forms_list",
              "patient.form_receipt": "patient.forms_list",
              "staff.plan": "staff.caseload", "staff.plan_forms": "staff.caseload",
              "staff.form_response": "staff.caseload", "staff.alert": "staff.caseload",
              "staff.messages": "staff.inbox", "staff.messages_older": "staff.inbox",
              "patient.article": "patient.reading", "patient.article_response": "patient.reading",
              "patient.print_plan": "patient.start", "patient.what_matters": "patient.start",
              "patient.new_item": "patient.timeline", "patient.edit_item": "patient.timeline",
              "patient.delete_item": "patient.timeline",
              "staff.new_plan": "staff.find_patient", "staff.plan_reading": "staff.caseload",
              "staff.plan_history": "staff.caseload", "staff.handover": "staff.caseload",
              "staff.plan_version": "staff.caseload", "staff.edit_item": "staff.caseload",
              "editor.version": "editor.index", "editor.article": "editor.index"}


def _layout_context() -> dict[str, object]:
    role = current_user.role if current_user.is_authenticated else None
    endpoint = request.endpoint or ""
    on_patient_pages = endpoint.startswith("patient.") and "acting_delegation" in g
    delegation = g.get("acting_delegation") if on_patient_pages else None
    nav_role = "patient" if on_patient_pages else role
    from portal.patient.access import allowed

    items = [item for item in NAVIGATION.get(nav_role or "", ())
             if not on_patient_pages or item.endpoint is None or allowed(item.endpoint, delegation)]
    return {
        "layout": "layouts/fragment.html" if wants_fragment() else "base.html",
        "nav_items": items,
        "nav_section": SECTION_OF.get(endpoint, endpoint),
        "demo_banner": current_app.config["PORTAL_ENV"] != "production",
        "unread": _patient_unread() if on_patient_pages and allowed("patient.messages", delegation) else None,
        "acting_for": _acting_banner(delegation),
        "acting_choices": _choices() if delegation is not None else 0,
        "may": lambda name: not on_patient_pages or allowed(name, delegation),
    }


def _choices() -> int:
    """How many plans this account can switch between (its own counts as one)."""
    from portal.i18n import local_now
    from portal.services import delegations

    session = get_session()
    own = 1 if current_user.role == "patient" and plans.patient_for_user(session, current_user.id) else 0
    return own + len(delegations.usable_for_user(session, current_user.id, local_now().date()))


def possessive(name: str) -> str:
    """'Annas', 'Lars' (sv) or "Anna's", "Lars'" (en): the banner's 'whose plan'."""
    ends_in_s = name[-1:].lower() in ("s", "x", "z")
    if str(get_locale()) == "en":
        return f"{name}'" if ends_in_s else f"{name}'s"
    return name if ends_in_s else f"{name}s"


def _acting_banner(delegation: object) -> str | None:
    """Whose plan a relative is looking at ('Annas'), for the banner on every page."""
    if delegation is None:
        return None
    patient, _plan = current_patient_plan()
    return possessive(patient.name.split(" ")[0]) if patient else None


def current_patient_plan() -> tuple[Patient | None, CarePlan | None]:
    """The signed-in patient and their current plan, looked up once per request."""
    if "patient_plan" not in g:
        from portal.patient.access import acting_patient

        patient = acting_patient()
        g.patient_plan = (patient, plans.active_plan(get_session(), patient.id) if patient else None)
    return g.patient_plan


def _patient_unread() -> int:
    """Messages from the care team the patient has not read (one query once the plan is known)."""
    _patient, plan = current_patient_plan()
    return msgs.unread_count(get_session(), current_user.id, [plan.id]) if plan else 0


def init_app(app: Flask) -> None:
    app.context_processor(_layout_context)
