"""The patient's message thread with the care team."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.db import get_session
from portal.htmx import is_htmx
from portal.models import CarePlan, Patient
from portal.patient import bp
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
    older_response,
    poll_response,
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
    return _page(patient, plan, form_with_draft(get_session(), current_user.id, request.path))


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
    page = msgs.page_before(session, plan.id, before)
    following = msgs.messages_after(session, plan.id, page.newest_id, limit=1) if page.messages else []
    record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id)
    return older_response(page, following[0] if following else None, _urls(), current_user.id)


@bp.get("/messages/new")
def messages_new() -> Response | str:
    """What arrived since the last message shown (polled by htmx every 20 s while the page is visible)."""
    patient, plan = _require_plan()
    if not is_htmx():
        return redirect(url_for("patient.messages"))
    after = request.args.get("after", default=0, type=int)
    session = get_session()
    new = msgs.messages_after(session, plan.id, after)
    previous = msgs.page_before(session, plan.id, new[0].id, size=1).messages if new else []
    if new:
        msgs.mark_read(session, plan.id, current_user.id, new[-1].id)
        record_access(session, current_user, Action.READ, f"messages:{plan.id}", patient.id)
    return poll_response(new, previous[0] if previous else None, _urls(), after, current_user.id)


@bp.post("/messages")
def message_create() -> Response:
    """Send a message once (a repeated send with the same form does nothing more)."""
    patient, plan = _require_plan()
    form = ComposeForm.from_request(request.form)
    body = form.validate()
    if body is None:
        return compose_invalid(form, _urls(), _page(patient, plan, form))
    session = get_session()
    message, created = msgs.post_message(session, plan.id, current_user, "", body, form.client_token)
    previous = msgs.page_before(session, plan.id, message.id, size=1).messages
    if created:
        msgs.mark_read(session, plan.id, current_user.id, message.id)
        record_access(session, current_user, Action.CREATE, f"message:{message.id}", patient.id)
    return compose_sent(message, created, previous[0] if previous else None, _urls(), current_user.id)


@bp.get("/messages/unread")
def messages_unread() -> Response | str:
    """The navigation's unread count; a polite announcement when it went up."""
    if not is_htmx():
        return redirect(url_for("patient.messages"))
    before = request.args.get("count", default=0, type=int)
    return render_template("patient/partials/unread.html", before=before)
