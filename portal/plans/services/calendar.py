"""Plan items as calendar events (RFC 5545): one item's .ics file, and the patient's private feed of booked items.

The feed is reached by a secret address, without signing in (a calendar app cannot sign in), so only a SHA-256 hash
of its secret is kept on the patient: the patient sees the address once, when it is made, and can make a new one
(the old one stops working) or turn the feed off.

Event text never holds a diagnosis: a calendar is read on a locked phone's screen, by family who share it and by the
company that syncs it, and an item's title can name the illness ("Cellgifter", "Bröstmottagningen"). The summary is
a neutral word chosen by the caller ("Vårdbesök"), the location only the street address, and the description a link
back to the item page, where the patient signs in to read the rest.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar
from sqlmodel import Session, col, select

from portal.core.clock import STOCKHOLM, as_utc, in_stockholm
from portal.models import CarePlan, CareUnit, DatePrecision, ItemStatus, Patient, PlanItem

PRODID = "-//Min vardplan//Kalender 1.0//SV"
UID_DOMAIN = "min-vardplan"
DEFAULT_LENGTH = timedelta(hours=1)  # an item has no end time: an hour is a fair guess for a visit
CALENDAR_PRECISIONS = (DatePrecision.TIME, DatePrecision.DAY)  # a week or a month is no calendar event
DOWNLOADABLE = (ItemStatus.PLANNED, ItemStatus.BOOKED)
IN_FEED = (ItemStatus.BOOKED,)
EVENT_STATUS = {ItemStatus.BOOKED: "CONFIRMED", ItemStatus.PLANNED: "TENTATIVE", ItemStatus.CANCELLED: "CANCELLED"}
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class EventText:
    """What an event says: a neutral summary, and the link back to the item page."""

    summary: str
    description: str


# --- the secret address -------------------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_feed(session: Session, patient: Patient, now: datetime) -> str:
    """Turn the feed on, or give it a new address (the old one stops working at once). Returns the secret, which is
    kept nowhere: the caller shows it once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    patient.calendar_token_hash = token_hash(token)
    patient.calendar_token_created_at = now
    session.add(patient)
    return token


def stop_feed(session: Session, patient: Patient) -> None:
    patient.calendar_token_hash = None
    patient.calendar_token_created_at = None
    session.add(patient)


def patient_for_token(session: Session, token: str) -> Patient | None:
    """The patient whose feed this secret opens; None for a missing, mistyped or renewed one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.exec(select(Patient).where(Patient.calendar_token_hash == token_hash(token))).first()


# --- which items, and as what ---------------------------------------------------------------------------------------

def has_calendar_date(item: PlanItem) -> bool:
    """An exact time or a day: something a calendar can show."""
    return item.starts_at is not None and item.date_precision in CALENDAR_PRECISIONS


def downloadable(item: PlanItem) -> bool:
    """'Lägg till i kalendern' is offered for a planned or booked item with a time or a day."""
    return has_calendar_date(item) and item.status in DOWNLOADABLE


def feed_items(session: Session, plan: CarePlan) -> list[PlanItem]:
    """The plan's booked items with a time or a day, in date order."""
    query = (select(PlanItem).where(PlanItem.plan_id == plan.id, col(PlanItem.status).in_(IN_FEED),
                                    col(PlanItem.date_precision).in_(CALENDAR_PRECISIONS),
                                    col(PlanItem.starts_at).is_not(None))
             .order_by(col(PlanItem.starts_at), col(PlanItem.id)))
    return list(session.exec(query).all())


def uid(item: PlanItem) -> str:
    """The same for an item in every file and every fetch of the feed, so that a calendar updates, not duplicates."""
    return f"plan-item-{item.id}@{UID_DOMAIN}"


def event(item: PlanItem, unit: CareUnit | None, text: EventText) -> icalendar.Event:
    """One item as a VEVENT: a timed item in Europe/Stockholm time (with its VTIMEZONE), a day as a DATE value."""
    found = icalendar.Event()
    found.add("uid", uid(item))
    changed = as_utc(item.updated_at)
    found.add("dtstamp", changed)
    found.add("last-modified", changed)
    starts = in_stockholm(item.starts_at) if item.starts_at else None
    if starts is not None and item.date_precision == DatePrecision.TIME:
        found.add("dtstart", starts)
        found.add("dtend", starts + DEFAULT_LENGTH)
    elif starts is not None:
        day: date = starts.date()
        found.add("dtstart", day)
        found.add("dtend", day + timedelta(days=1))
        found.add("transp", "TRANSPARENT")
    found.add("summary", text.summary)
    if unit is not None and unit.address:
        found.add("location", unit.address)
    found.add("description", text.description)
    found.add("class", "PRIVATE")
    if item.status in EVENT_STATUS:
        found.add("status", EVENT_STATUS[item.status])
    return found


def calendar(events: Iterable[icalendar.Event], name: str | None = None) -> bytes:
    """A VCALENDAR of the events; a feed has a name and asks to be fetched again every hour."""
    found = icalendar.Calendar()
    found.add("prodid", PRODID)
    found.add("version", "2.0")
    found.add("calscale", "GREGORIAN")
    if name is not None:
        found.add("x-wr-calname", name)
        found.add("x-wr-timezone", str(STOCKHOLM))
        found.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        found.add("x-published-ttl", REFRESH)
    else:
        found.add("method", "PUBLISH")
    for each in events:
        found.add_component(each)
    found.add_missing_timezones()
    return found.to_ical()
