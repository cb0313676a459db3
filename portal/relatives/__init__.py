"""Relatives and guardians: invitations and their acceptance, choosing whose plan to see, what each relative may do
and until when, guardians of children, and the banner that says whose plan a relative is looking at."""

from __future__ import annotations

from flask import Blueprint, Flask, g
from flask_babel import get_locale
from flask_login import current_user

from portal.core.clock import stockholm_today
from portal.db import get_session
from portal.models import Role
from portal.plans.access import current_patient, on_patient_pages
from portal.plans.services import acting, plans
from portal.web.layout import Viewer


def possessive(name: str) -> str:
    """'Annas', 'Lars' (sv) or "Anna's", "Lars'" (en): the banner's 'whose plan'."""
    ends_in_s = name[-1:].lower() in ("s", "x", "z")
    if str(get_locale()) == "en":
        return f"{name}'" if ends_in_s else f"{name}'s"
    return name if ends_in_s else f"{name}s"


def layout_context() -> dict[str, object]:
    """On a relative's pages: whose plan this is, who reads it (web.layout.Viewer), and how many plans the account
    can switch between."""
    if not on_patient_pages() or g.acting_delegation is None:
        return {}
    patient, session = current_patient(), get_session()
    own = 1 if current_user.role == Role.PATIENT and plans.patient_for_user(session, current_user.id) else 0
    usable = acting.usable_for_user(session, current_user.id, stockholm_today())
    first = patient.name.split(" ")[0] if patient else ""
    whose = possessive(first) if first else ""
    kind = "guardian" if acting.is_guardian_of_child(g.acting_delegation) else "relative"
    return {"acting_for": whose or None, "acting_choices": own + len(usable), "viewer": Viewer(kind, first, whose)}


def init_app(app: Flask) -> None:
    from portal.relatives import patient, public, staff

    feature = Blueprint("relatives", __name__, template_folder="templates")
    for audience in (patient.bp, public.bp, staff.bp):
        feature.register_blueprint(audience)
    app.register_blueprint(feature)
    app.context_processor(layout_context)
