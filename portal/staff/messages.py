"""The care team's inbox and message threads."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.db import get_session
from portal.htmx import is_htmx
from portal.models import CarePlan, Patient, User
from portal.services import messages as msgs
from portal.services import plans
from portal.services.access_log import Action, record_access
from portal.services.notifications import queue_new_message
from portal.services.personal_id import PersonalId
from portal.staff import bp
from portal.staff.access import plan_or_404
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


def _urls(plan_id: int) -> ThreadUrls:
    return ThreadUrls(page=url_for("staff.messages", plan_id=plan_id),
                      older=url_for("staff.messages_older", plan_id=plan_id),
                      poll=url_for("staff.messages_new", plan_id=plan_id),
                      post=url_for("staff.message_create", plan_id=plan_id))


def _page(plan: CarePlan, patient: Patient, unit_id: int, form: ComposeForm, before: int | None = None) -> str:
    session = get_session()
    page = msgs.page_before(session, plan.id, before)
    msgs.mark_read(session, plan.id, current_user.id, page.newest_id)
    record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id, unit_id)
    return render_template("staff/messages.html", plan=plan, patient=patient, page=page,
                           pairs=day_pairs(page.messages), urls=_urls(plan.id), form=form, viewer_id=current_user.id,
                           masked=PersonalId(patient.personal_id).masked(), browsing_older=before is not None)


@bp.get("/inbox")
def inbox() -> str:
    """Threads of the nurse's units: unhandled patient messages first, then the newest."""
    session = get_session()
    rows = msgs.inbox(session, current_user.id, plans.staff_units(session, current_user.id))
    return render_template("staff/inbox.html", rows=rows, masked=lambda p: PersonalId(p).masked())


@bp.get("/plans/<int:plan_id>/messages")
def messages(plan_id: int) -> str:
    """One patient's thread, with the reply form; opening it marks it read for this nurse."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    return _page(plan, patient, unit_id, form_with_draft(get_session(), current_user.id, request.path))


@bp.get("/plans/<int:plan_id>/messages/older")
def messages_older(plan_id: int) -> str:
    """Earlier messages: a chunk for htmx, a page of them without JS."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    before = request.args.get("before", type=int)
    if before is None:
        abort(400)
    if not is_htmx():
        return _page(plan, patient, unit_id, ComposeForm(), before)
    session = get_session()
    html = older_chunk(session, plan.id, before, _urls(plan.id), current_user.id)
    record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id, unit_id)
    return html


@bp.get("/plans/<int:plan_id>/messages/new")
def messages_new(plan_id: int) -> Response | str:
    """What arrived since the last message shown (polled every 20 s while visible)."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    if not is_htmx():
        return redirect(url_for("staff.messages", plan_id=plan_id))
    after = request.args.get("after", default=0, type=int)
    session = get_session()
    html, anything = new_chunk(session, plan.id, after, _urls(plan.id), current_user.id)
    if anything:
        record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id, unit_id)
    return html


@bp.post("/plans/<int:plan_id>/messages")
def message_create(plan_id: int) -> Response:
    """Reply once; the patient gets a content-free e-mail nudge if they asked for one."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    form = ComposeForm.from_request(request.form)
    body = form.validate()
    if body is None:
        return compose_invalid(form, _urls(plan.id), _page(plan, patient, unit_id, form))
    session = get_session()
    title = plans.staff_title(session, current_user.id, unit_id)
    message, created = msgs.post_message(session, plan.id, current_user, title, body, form.client_token)
    if created:
        msgs.mark_read(session, plan.id, current_user.id, message.id)
        msgs.mark_handled(session, plan.id, current_user)
        patient_user = session.get(User, patient.user_id) if patient.user_id else None
        if patient_user is not None:
            queue_new_message(session, patient_user)
        record_access(session, current_user, Action.CREATE, f"message:{message.id}", patient.id, unit_id)
    return compose_sent(session, message, created, _urls(plan.id), current_user.id)


@bp.post("/plans/<int:plan_id>/messages/handled")
def thread_handled(plan_id: int) -> Response:
    """Mark the patient's messages as dealt with; the thread moves down the inbox."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    session = get_session()
    msgs.mark_handled(session, plan.id, current_user)
    record_access(session, current_user, Action.UPDATE, f"messages:{plan.id}", patient.id, unit_id)
    return redirect(url_for("staff.inbox", done=plan.id), code=303)


@bp.post("/plans/<int:plan_id>/messages/unread")
def thread_unread(plan_id: int) -> Response:
    """Put the thread back as unread and not dealt with, to come back to it later."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    session = get_session()
    msgs.mark_unhandled(session, plan.id, current_user)
    record_access(session, current_user, Action.UPDATE, f"messages:{plan.id}", patient.id, unit_id)
    return redirect(url_for("staff.inbox", unread=plan.id), code=303)
