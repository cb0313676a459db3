"""The care team's inbox and message threads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
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
from portal.plans.access import log, own_units, plan_or_404
from portal.web.guards import require_role
from portal.web.htmx import in_place, is_htmx
from portal.web.inputs import id_arg
from portal.web.sessions import background

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF, on_anonymous=sign_in_first))
bp.register_error_handler(CSRFError, keep_text_on_stale_form)


def _urls(plan_id: int) -> ThreadUrls:
    return ThreadUrls(page=url_for("messages.staff.thread", plan_id=plan_id),
                      older=url_for("messages.staff.thread_older", plan_id=plan_id),
                      poll=url_for("messages.staff.thread_new", plan_id=plan_id),
                      post=url_for("messages.staff.message_create", plan_id=plan_id))


def _page(plan: CarePlan, patient: Patient, unit_id: int, form: ComposeForm, before: int | None = None) -> str:
    session = get_session()
    page = msgs.page_before(session, plan.id, before)
    msgs.mark_read(session, plan.id, current_user.id, page.newest_id)
    log(Action.READ, f"messages:{plan.id}", patient.id, unit_id)
    return render_template("messages/staff/thread.html", plan=plan, patient=patient, page=page,
                           pairs=day_pairs(page.messages), urls=_urls(plan.id), form=form, viewer_id=current_user.id,
                           browsing_older=before is not None)


@bp.get("/inbox")
def inbox() -> str:
    """Threads of the nurse's units, 50 at a time: unhandled patient messages first, then the newest; all of them,
    those not dealt with (?show=unhandled) or her own patients' (?show=mine). Under htmx, 'Show more'
    (?after=<plan id>) brings only the next threads, to add to the list."""
    show = request.args.get("show", "all")
    show = show if show in msgs.SHOWS else "all"
    page, waiting = msgs.inbox_and_waiting(get_session(), current_user.id, own_units(), id_arg("after"), show=show)
    if waiting is not None:
        g.messages_waiting = waiting  # the badge's number came with the page
    template = "messages/partials/inbox_more.html" if in_place() else "messages/staff/inbox.html"
    return render_template(template, page=page, show=show)


@bp.get("/inbox/waiting")
@background
def waiting() -> Response | str:
    """The navigation's badge: threads waiting for this nurse (polled every 60 s while the page is visible; not
    activity, so an open tab still times out). Without htmx, the inbox itself."""
    if not is_htmx():
        return redirect(url_for("messages.staff.inbox"))
    return render_template("messages/partials/waiting.html", before=id_arg("count", 0), waiting=_waiting())


def _waiting() -> int:
    return msgs.waiting_threads(get_session(), current_user.id, own_units())


def layout_context() -> dict[str, object]:
    """On the care team's whole pages: how many threads wait for this nurse (the badge's number without JS)."""
    if not (current_user.is_authenticated and current_user.role == Role.STAFF) or in_place():
        return {}
    known = g.get("messages_waiting")  # the inbox counts it with its own page
    return {"waiting": _waiting() if known is None else known}


@bp.get("/plans/<int:plan_id>/messages")
def thread(plan_id: int) -> str:
    """One patient's thread, with the reply form; opening it marks it read for this nurse."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    return _page(plan, patient, unit_id, form_with_draft(get_session(), current_user.id, request.path))


@bp.get("/plans/<int:plan_id>/messages/older")
def thread_older(plan_id: int) -> str:
    """Earlier messages: a chunk for htmx, a page of them without JS."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    before = id_arg("before")
    if before is None:
        abort(400)
    if not is_htmx():
        return _page(plan, patient, unit_id, ComposeForm(), before)
    html = older_chunk(get_session(), plan.id, before, _urls(plan.id), current_user.id)
    log(Action.READ, f"messages:{plan.id}", patient.id, unit_id)
    return html


@bp.get("/plans/<int:plan_id>/messages/new")
@background
def thread_new(plan_id: int) -> Response | str:
    """What arrived since the last message shown (polled every 20 s while visible)."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    if not is_htmx():
        return redirect(url_for("messages.staff.thread", plan_id=plan_id))
    after = id_arg("after", 0)
    html, anything = new_chunk(get_session(), plan.id, after, _urls(plan.id), current_user.id)
    if anything:
        log(Action.READ, f"messages:{plan.id}", patient.id, unit_id)
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
    message, created = msgs.reply(session, plan, patient, current_user, unit_id, body, form.client_token)
    if created:
        log(Action.CREATE, f"message:{message.id}", patient.id, unit_id)
    return compose_sent(session, message, created, _urls(plan.id), current_user.id)


@bp.post("/plans/<int:plan_id>/messages/handled")
def thread_handled(plan_id: int) -> Response:
    """Mark the patient's messages as dealt with; the thread moves down the inbox."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    msgs.mark_handled(get_session(), plan.id, current_user)
    log(Action.UPDATE, f"messages:{plan.id}", patient.id, unit_id)
    return redirect(url_for("messages.staff.inbox", done=plan.id), code=303)


@bp.post("/plans/<int:plan_id>/messages/unread")
def thread_unread(plan_id: int) -> Response:
    """Put the thread back as unread and not dealt with, to come back to it later."""
    plan, patient, unit_id = plan_or_404(plan_id, f"messages:{plan_id}")
    msgs.mark_unhandled(get_session(), plan.id, current_user)
    log(Action.UPDATE, f"messages:{plan.id}", patient.id, unit_id)
    return redirect(url_for("messages.staff.inbox", unread=plan.id), code=303)
