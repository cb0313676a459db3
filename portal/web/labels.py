"""Translated names for the codes stored in the database (phases, statuses, diagnoses, roles)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import Flask
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from portal.models import DatePrecision, ItemKind, ItemStatus, Phase, TeamRole, TemplateStatus
from portal.web.i18n import translated

PHASES = {
    Phase.INVESTIGATION: _l("Investigation"),
    Phase.TREATMENT: _l("Treatment"),
    Phase.REHABILITATION: _l("Rehabilitation"),
    Phase.FOLLOW_UP: _l("Follow-up"),
}
STATUSES = {
    ItemStatus.PLANNED: _l("Planned"),
    ItemStatus.BOOKED: _l("Booked"),
    ItemStatus.DONE: _l("Done"),
    ItemStatus.CANCELLED: _l("Cancelled"),
}
DIAGNOSES = {
    "brostcancer": _l("Breast cancer"),
    "peniscancer": _l("Penile cancer"),
    "prostatacancer": _l("Prostate cancer"),
    "tjock-och-andtarmscancer": _l("Colon and rectal cancer"),
    "tumorer-i-centrala-nervsystemet": _l("Tumours of the central nervous system"),
    "aggstockscancer": _l("Ovarian cancer"),
    "barncancer-all": _l("Childhood cancer (ALL)"),
    "bukspottkortelcancer": _l("Pancreatic cancer"),
    "hudcancer": _l("Skin cancer"),
    "huvud-och-halscancer": _l("Head and neck cancer"),
    "livmoderhalscancer": _l("Cervical cancer"),
    "lungcancer": _l("Lung cancer"),
    "myelom": _l("Myeloma"),
    "okand-primartumor": _l("Cancer of unknown primary"),
    "skelett-och-mjukdelssarkom": _l("Bone and soft tissue sarcoma"),
    "urinblasecancer": _l("Bladder cancer"),
    "generell": _l("Care plan"),
}


KINDS = {
    ItemKind.EXAMINATION: _l("Examination"),
    ItemKind.TREATMENT: _l("Treatment"),
    ItemKind.APPOINTMENT: _l("Appointment"),
    ItemKind.MILESTONE: _l("Milestone"),
}
PRECISIONS = {
    DatePrecision.DAY: _l("On this day"),
    DatePrecision.WEEK: _l("Some time in this week"),
    DatePrecision.MONTH: _l("Some time in this month"),
}
TEAM_ROLES = {
    TeamRole.RESPONSIBLE: _l("Responsible"),
    TeamRole.PARTICIPATING: _l("Participating"),
}
TEMPLATE_STATUSES = {
    TemplateStatus.DRAFT: _l("Draft"),
    TemplateStatus.PUBLISHED: _l("Published"),
    TemplateStatus.RETIRED: _l("Retired"),
}
CHANGES = {
    "plan_created": _l("Created the plan"),
    "item_added": _l("Added an item"),
    "item_changed": _l("Changed an item"),
    "item_removed": _l("Removed an item"),
    "item_moved": _l("Moved an item"),
    "reading_changed": _l("Changed the reading"),
    "note_changed": _l("Changed the plan details"),
    "handed_over": _l("Handed the plan over"),
    "unit_removed": _l("Removed a unit from the care team"),
    "handover_started": _l("Sent the plan for handover"),
    "handover_declined": _l("Declined the handover"),
    "handover_cancelled": _l("Took the handover back"),
    "version_moved": _l("Moved the plan to a newer content version"),
    "what_matters": _l("Wrote what matters to them"),
    "patient_item_added": _l("Added their own item"),
    "patient_item_changed": _l("Changed their own item"),
    "patient_item_removed": _l("Removed their own item"),
    "phase_changed": _l("Changed the current part of care"),
    "form_assigned": _l("Turned on a form"),
    "alert_handled": _l("Handled an alert from a form"),
    "plan_shared": _l("Shared the plan with the patient"),
    "summary_changed": _l("Changed the illness in plain words"),
}


RESOURCES = {
    "plan": _l("the care plan"),
    "timeline": _l("the timeline"),
    "item": _l("an item in the plan"),
    "plan_item": _l("an item in the plan"),
    "reading": _l("the reading"),
    "article": _l("a text in the reading"),
    "print": _l("the printed plan"),
    "preview": _l("a preview of the care plan"),
    "what_matters": _l("what matters to you"),
    "messages": _l("the messages"),
    "message": _l("a message"),
    "forms": _l("the forms"),
    "form_assignment": _l("the forms"),
    "form_response": _l("a form answer"),
    "alert": _l("an alert from a form"),
    "alerts": _l("the alerts from a form"),
    "history": _l("the plan's history"),
    "team": _l("the care team"),
    "handover": _l("a handover of the plan"),
    "sharing": _l("which care providers may see the plan"),
    "new_plan": _l("a new care plan"),
    "patient_search": _l("a search for patients"),
    "delegations": _l("your relatives' access"),
    "delegation": _l("a relative's access"),
    "access_log": _l("who has looked at the plan"),
    "settings": _l("your settings"),
    "endpoint": _l("a page"),
    "guardians": _l("the guardians"),
    "emergency": _l("emergency access"),
    "my_data": _l("your downloaded data"),
    "fhir": _l("your data, for another care system"),
    "contact_details": _l("the contact details"),
    "calendar": _l("an item, as a calendar file"),
    "calendar_feed": _l("the calendar with your booked visits"),
}
ACTIONS = {
    "read": _l("Looked at"),
    "create": _l("Added"),
    "update": _l("Changed"),
    "delete": _l("Removed"),
    "denied": _l("Was refused"),
}
ROLES = {
    "patient": _l("patient"),
    "relative": _l("relative"),
    "staff": _l("care staff"),
    "editor": _l("content editor"),
    "admin": _l("administrator"),
    "anonymous": _l("not signed in"),
    "system": _l("another care system"),
    "calendar_feed": _l("calendar app"),
}
RELATIONS = {
    "partner": _l("partner"),
    "child": _l("child"),
    "parent": _l("parent"),
    "sibling": _l("sibling"),
    "friend": _l("friend"),
    "other": _l("other"),
    "guardian": _l("guardian"),
}
SCOPES = {
    "plan": _l("See the care plan and the reading"),
    "messages_read": _l("Read messages"),
    "messages_send": _l("Send messages"),
    "forms": _l("Answer forms"),
}
DELEGATION_STATUSES = {
    "invited": _l("Invited"),
    "active": _l("Active"),
    "revoked": _l("Ended by you"),
    "expired": _l("Ended"),
}


def _label(table: dict[str, LazyString], code: str) -> str:
    names = translated(table)
    return names[code] if code in names else str(code)


def language_label(code: str) -> str:
    """A language code's name in the reader's language ('arabiska', 'Arabic'), from Babel; else the code itself."""
    try:
        return Locale.parse(code).get_display_name(str(get_locale() or "sv")) or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        phase_label=lambda code: _label(PHASES, code),
        status_label=lambda code: _label(STATUSES, code),
        diagnosis_label=lambda code: _label(DIAGNOSES, code),
        kind_label=lambda code: _label(KINDS, code),
        precision_label=lambda code: _label(PRECISIONS, code),
        team_role_label=lambda code: _label(TEAM_ROLES, code),
        template_status_label=lambda code: _label(TEMPLATE_STATUSES, code),
        change_label=lambda code: _label(CHANGES, code),
        resource_label=lambda resource: _label(RESOURCES, resource.split(":", 1)[0]),
        action_label=lambda code: _label(ACTIONS, code),
        role_label=lambda code: _label(ROLES, code),
        relation_label=lambda code: _label(RELATIONS, code),
        scope_label=lambda code: _label(SCOPES, code),
        delegation_status_label=lambda code: _label(DELEGATION_STATUSES, code),
        language_label=language_label,
    )
