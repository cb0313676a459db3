"""The patient's settings: whether, and to which address, we send an e-mail when a new message arrives."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.core.access_log import Action
from portal.db import get_session
from portal.models import User
from portal.notifications.services import is_valid_email
from portal.plans.access import current_patient, log, patient_guard
from portal.web.feedback import confirmed

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(patient_guard())

MAX_TYPED_LENGTH = 1000  # longer than any address, so a too-long one is shown again and refused, not cut


@dataclass
class SettingsForm:
    contact_email: str = ""
    notify_messages: bool = False
    errors: dict[str, LazyString] = field(default_factory=dict)

    @classmethod
    def from_user(cls, user: User) -> SettingsForm:
        return cls(contact_email=user.contact_email or "", notify_messages=user.notify_messages)

    @classmethod
    def from_request(cls, data: MultiDict[str, str]) -> SettingsForm:
        return cls(contact_email=data.get("contact_email", "")[:MAX_TYPED_LENGTH].strip(),
                   notify_messages=bool(data.get("notify_messages")))

    def validate(self) -> bool:
        """An address is needed for e-mails, and any address written must look like one."""
        self.errors = {}
        if self.contact_email and not is_valid_email(self.contact_email):
            self.errors["contact_email"] = _l("Write the e-mail address like name@example.com.")
        elif self.notify_messages and not self.contact_email:
            self.errors["contact_email"] = _l("Write your e-mail address to get e-mails.")
        return not self.errors


def _patient_id() -> int | None:
    patient = current_patient()
    return patient.id if patient else None


def _render(form: SettingsForm, status: int = 200) -> tuple[str, int]:
    saved = bool(request.args.get("saved")) and not form.errors
    return render_template("notifications/patient/settings.html", form=form, saved=saved), status


@bp.get("/settings")
def settings() -> tuple[str, int]:
    """Settings: an e-mail when a new message arrives (that says only that there is one), on or off."""
    log(Action.READ, "settings", _patient_id())
    return _render(SettingsForm.from_user(current_user))


@bp.post("/settings")
def settings_update() -> Response | tuple[str, int]:
    """Save the settings and show them again with 'saved'; if something is wrong, say what, keeping what was typed."""
    form = SettingsForm.from_request(request.form)
    if not form.validate():
        return _render(form, 422)
    user: User = current_user._get_current_object()
    user.contact_email = form.contact_email or None
    user.notify_messages = form.notify_messages
    get_session().add(user)
    log(Action.UPDATE, "settings", _patient_id())
    return confirmed("notifications.patient.settings", saved=1)
