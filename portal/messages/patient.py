"""The patient's message thread with the care team (a relative reads or writes as their delegation allows)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from portal.core.access_log import Action
from portal.db import get_session
from portal.messages import services as msgs
from portal.messages.thread import (
    ComposeForm,
    ThreadUrls,
    compose_invalid,
    compose_sent,
    day_pairs,
    form_with_draft,
    keep_text_on_stale_form,
    new_chunk,
    older_chunk,
    sign_in_first,
)
from portal.models import CarePlan, Patient, Role
from portal.plans.access import (
    acting_delegation,
    current_patient,
    current_plan,
    log,
    may,
    on_patient_pages,
    patient_guard,
    require_plan,
)
from portal.plans.patient import article_reference
from portal.plans.services import plans, safety
from portal.web.htmx import is_htmx
from portal.web.inputs import id_arg
from portal.web.sessions import background

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(patient_guard(on_anonymous=sign_in_first))
bp.register_error_handler(CSRFError, keep_text_on_stale_form)


def _urls() -> ThreadUrls:
    return ThreadUrls(page=url_for("messages.patient.thread"), older=url_for("messages.patient.thread_older"),
                      poll=url_for("messages.patient.thread_new"), post=url_for("messages.patient.message_create"))


def _page(patient: Patient, plan: CarePlan, form: ComposeForm, before: int | None = None) -> str:
    """The thread page (the latest messages, or those before `before`) with the form; marks them read."""
    session = get_session()
    page, g.messages_unread = msgs.read_page(session, plan.id, current_user.id, before)
    log(Action.READ, f"messages:{plan.id}", patient.id)
    return render_template("messages/patient/thread.html", plan=plan, page=page, pairs=day_pairs(page.messages),
                           urls=_urls(), form=form, unit=plans.responsible_unit(session, plan.id),
                           safety=safety.texts_for(session, plan, str(get_locale() or "sv")),
                           viewer_id=current_user.id, browsing_older=before is not None)


@bp.get("/messages")
def thread() -> str:
    """The thread with the care team: the latest 30 messages, the safety notice and the form."""
    patient, plan = current_patient(), current_plan()
    if plan is None:
        return render_template("plans/patient/no_plan.html", patient=patient)
    form = form_with_draft(get_session(), current_user.id, request.path)
    form.body = form.body or article_reference(plan, request.args.get("article"))
    return _page(patient, plan, form)


@bp.get("/messages/older")
def thread_older() -> str:
    """Earlier messages: a chunk for htmx, a page of them without JS."""
    patient, plan = require_plan()
    before = id_arg("before")
    if before is None:
        abort(400)
    if not is_htmx():
        return _page(patient, plan, ComposeForm(), before)
    html = older_chunk(get_session(), plan.id, before, _urls(), current_user.id)
    log(Action.READ, f"messages:{plan.id}", patient.id)
    return html


@bp.get("/messages/new")
@background
def thread_new() -> Response | str:
    """What arrived since the last message shown (polled by htmx every 20 s while the page is visible)."""
    patient, plan = require_plan()
    if not is_htmx():
        return redirect(url_for("messages.patient.thread"))
    after = id_arg("after", 0)
    html, anything = new_chunk(get_session(), plan.id, after, _urls(), current_user.id)
    if anything:
        log(Action.READ, f"messages:{plan.id}", patient.id)
    return html


@bp.post("/messages")
def message_create() -> Response:
    """Send a message once (a repeated send with the same form does nothing more)."""
    patient, plan = require_plan()
    form = ComposeForm.from_request(request.form)
    body = form.validate()
    if body is None:
        return compose_invalid(form, _urls(), _page(patient, plan, form))
    session = get_session()
    role = Role.RELATIVE if acting_delegation() is not None else None
    message, created = msgs.post_message(session, plan.id, current_user, "", body, form.client_token, role=role)
    if created:
        msgs.mark_read(session, plan.id, current_user.id, message.id)
        log(Action.CREATE, f"message:{message.id}", patient.id)
    return compose_sent(session, message, created, _urls(), current_user.id)


@bp.get("/messages/unread")
@background
def unread() -> Response | str:
    """The navigation's unread count; a polite announcement when it went up."""
    if not is_htmx():
        return redirect(url_for("messages.patient.thread"))
    before = id_arg("count", 0)
    return render_template("messages/partials/unread.html", before=before)


def layout_context() -> dict[str, object]:
    """On patient pages that may show messages: how many from the care team are unread (one query)."""
    if not on_patient_pages() or not may("messages.patient.thread"):
        return {}
    known = g.get("messages_unread")  # the thread page knows it: what stays unread once its page is read
    if known is not None:
        return {"unread": known}
    plan = current_plan()
    return {"unread": msgs.unread_count(get_session(), current_user.id, [plan.id]) if plan else 0}
