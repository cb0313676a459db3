"""The patient's message thread with the care team."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.db import get_session
from portal.htmx import is_htmx
from portal.models import CarePlan, Patient, Role
from portal.patient import bp
from portal.patient.access import acting_delegation
from portal.patient.views import patient_and_plan
from portal.services import messages as msgs
from portal.services import plans
from portal.services.access_log import Action, record_access
from portal.thread import (
    ComposeForm,
    ThreadUrls,
    compose_invalid,
    compose_sent,
    day_pairs,
    form_with_draft,
    new_chunk,
    older_chunk,
)


def _urls() -> ThreadUrls:
    return ThreadUrls(page=url_for("patient.messages"), older=url_for("patient.messages_older"),
                      poll=url_for("patient.messages_new"), post=url_for("patient.message_create"))


def _require_plan() -> tuple[Patient, CarePlan]:
    patient, plan = patient_and_plan()
    if patient is None or plan is None:
        abort(404)
    return patient, plan


def _page(patient: Patient, plan: CarePlan, form: ComposeForm, before: int | None = None) -> str:
    """The thread page (the latest messages, or those before `before`) with the form; marks them read."""
    session = get_session()
    page = msgs.page_before(session, plan.id, before)
    msgs.mark_read(session, plan.id, current_user.id, page.newest_id)
    record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id)
    return render_template("patient/messages.html", plan=plan, page=page, pairs=day_pairs(page.messages),
                           urls=_urls(), form=form, contact=plans.contact_for(session, plan),
                           viewer_id=current_user.id, browsing_older=before is not None)


@bp.get("/messages")
def messages() -> str:
    """The thread with the care team: the latest 30 messages, the safety notice and the form."""
    patient, plan = patient_and_plan()
    if plan is None:
        return render_template("patient/no_plan.html", patient=patient)
    form = form_with_draft(get_session(), current_user.id, request.path)
    if not form.body:
        from portal.patient.plan_pages import article_reference

        form.body = article_reference(plan, request.args.get("article"))
    return _page(patient, plan, form)


@bp.get("/messages/older")
def messages_older() -> str:
    """Earlier messages: a chunk for htmx, a page of them without JS."""
    patient, plan = _require_plan()
    before = request.args.get("before", type=int)
    if before is None:
        abort(400)
    if not is_htmx():
        return _page(patient, plan, ComposeForm(), before)
    session = get_session()
    html = older_chunk(session, plan.id, before, _urls(), current_user.id)
    record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id)
    return html


@bp.get("/messages/new")
def messages_new() -> Response | str:
    """What arrived since the last message shown (polled by htmx every 20 s while the page is visible)."""
    patient, plan = _require_plan()
    if not is_htmx():
        return redirect(url_for("patient.messages"))
    after = request.args.get("after", default=0, type=int)
    session = get_session()
    html, anything = new_chunk(session, plan.id, after, _urls(), current_user.id)
    if anything:
        record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id)
    return html


@bp.post("/messages")
def message_create() -> Response:
    """Send a message once (a repeated send with the same form does nothing more)."""
    patient, plan = _require_plan()
    form = ComposeForm.from_request(request.form)
    body = form.validate()
    if body is None:
        return compose_invalid(form, _urls(), _page(patient, plan, form))
    session = get_session()
    role = Role.RELATIVE if acting_delegation() is not None else None
    message, created = msgs.post_message(session, plan.id, current_user, "", body, form.client_token, role=role)
    if created:
        msgs.mark_read(session, plan.id, current_user.id, message.id)
        record_access(session, current_user, Action.CREATE, f"message:{message.id}", patient.id)
    return compose_sent(session, message, created, _urls(), current_user.id)


@bp.get("/messages/unread")
def messages_unread() -> Response | str:
    """The navigation's unread count; a polite announcement when it went up."""
    if not is_htmx():
        return redirect(url_for("patient.messages"))
    before = request.args.get("count", default=0, type=int)
    return render_template("patient/partials/unread.html", before=before)
