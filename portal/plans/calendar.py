"""'Lägg till i kalendern': one item as an .ics file, and the patient's private calendar feed of booked items.

The item file is a patient page (the patient, and a relative who may see the plan). The feed is fetched by a calendar
app without signing in, at a secret address (services/calendar.py keeps only its hash); the patient turns it on,
renews or turns it off on the calendar page. Every fetch, and every wrong secret, goes to the access log.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from portal.core.access_log import Action, Actor, record_access
from portal.core.clock import utcnow
from portal.db import get_session
from portal.models import CareUnit, Patient, PlanItem
from portal.plans.access import current_patient, log
from portal.plans.patient import bp as patient_bp
from portal.plans.services import calendar, plans
from portal.web.feedback import confirmed

bp = Blueprint("public", __name__)
FEED_ACTOR = Actor(None, "calendar_feed")
FEED_KEY = "key"  # in the query string, which no log line keeps (web/request_log.py, gunicorn.conf.py)
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _text(item: PlanItem) -> calendar.EventText:
    """Neutral words only (services/calendar.py): 'Vårdbesök', and where to read more."""
    link = url_for("plans.patient.item", item_id=item.id, _external=True)
    return calendar.EventText(_("Care visit"), _("Read more in Min vårdplan (sign in first): %(link)s", link=link))


def _unit(item: PlanItem) -> CareUnit | None:
    return get_session().get(CareUnit, item.unit_id) if item.unit_id else None


def _ics(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, content_type=CALENDAR_TYPE)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@patient_bp.get("/items/<int:item_id>/calendar.ics")
def item_calendar(item_id: int) -> Response:
    """One item as a calendar file, for 'Lägg till i kalendern'."""
    patient = current_patient()
    found = plans.item_for_patient(get_session(), patient.id, item_id) if patient else None
    if found is None or not calendar.has_calendar_date(found):
        log(Action.DENIED, f"item:{item_id}", patient.id if patient else None)
        abort(404)
    log(Action.READ, f"calendar:{found.id}", patient.id)
    return _ics(calendar.calendar([calendar.event(found, _unit(found), _text(found))]), f"besok-{found.id}.ics")


def _page(token: str | None = None, done: str | None = None, status: int = 200) -> tuple[str, int]:
    patient: Patient = current_patient()
    address = url_for("plans.public.calendar_feed", _external=True, **{FEED_KEY: token}) if token else None
    return render_template("plans/patient/calendar.html", patient=patient, address=address, done=done,
                           webcal=address.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1)
                           if address else None), status


@patient_bp.get("/calendar")
def calendar_settings() -> tuple[str, int]:
    """The private calendar feed: on or off, and when its address was made."""
    patient = current_patient()
    log(Action.READ, "calendar_feed", patient.id if patient else None)
    return _page(done=request.args.get("done"))


@patient_bp.post("/calendar")
def calendar_update() -> Response | tuple[str, int]:
    """Turn the feed on or give it a new address (shown once, now), or turn it off."""
    patient = current_patient()
    if patient is None:
        abort(404)
    if request.form.get("feed") == "off":
        calendar.stop_feed(get_session(), patient)
        log(Action.DELETE, "calendar_feed", patient.id)
        return confirmed("plans.patient.calendar_settings", done="off")
    renewed = patient.calendar_token_hash is not None
    token = calendar.start_feed(get_session(), patient, utcnow())
    log(Action.UPDATE if renewed else Action.CREATE, "calendar_feed", patient.id)
    return _page(token, "renewed" if renewed else "on")


@bp.get("/calendar/feed.ics")
def calendar_feed() -> Response:
    """The feed a calendar app fetches: the booked items of the patient's shared plan; 404 for a wrong secret."""
    session = get_session()
    patient = calendar.patient_for_token(session, request.args.get(FEED_KEY, ""))
    if patient is None:
        record_access(session, FEED_ACTOR, Action.DENIED, "calendar_feed", None)
        abort(404)
    plan = plans.active_plan(session, patient.id or 0)
    items = calendar.feed_items(session, plan) if plan is not None and plan.shared_at is not None else []
    units = plans.units_by_id(session, {item.unit_id for item in items if item.unit_id})
    record_access(session, FEED_ACTOR, Action.READ, f"calendar_feed:{plan.id if plan else ''}", patient.id)
    events = [calendar.event(item, units.get(item.unit_id or 0), _text(item)) for item in items]
    return _ics(calendar.calendar(events, name=_("Min vårdplan")))
