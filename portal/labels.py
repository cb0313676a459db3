"""Translated names for the codes stored in the database (phases, statuses, diagnoses, roles)."""

from __future__ import annotations

from flask import Flask
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.models import ItemStatus, Phase

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


def _label(table: dict[str, LazyString], code: str) -> str:
    return str(table.get(code, code))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        phase_label=lambda code: _label(PHASES, code),
        status_label=lambda code: _label(STATUSES, code),
        diagnosis_label=lambda code: _label(DIAGNOSES, code),
    )
