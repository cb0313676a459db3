"""Translated names for the codes stored in the database (phases, statuses, diagnoses, roles)."""

from __future__ import annotations

from flask import Flask
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.models import DatePrecision, ItemKind, ItemStatus, Phase, TeamRole, TemplateStatus

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
    "version_moved": _l("Moved the plan to a newer content version"),
    "what_matters": _l("Wrote what matters to them"),
    "patient_item_added": _l("Added their own item"),
    "patient_item_changed": _l("Changed their own item"),
    "patient_item_removed": _l("Removed their own item"),
    "phase_changed": _l("Changed the current part of care"),
}


def _label(table: dict[str, LazyString], code: str) -> str:
    return str(table.get(code, code))


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
    )
