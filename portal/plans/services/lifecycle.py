"""A plan's life before and after the patient sees it: a draft the nurse tailors and previews, the illness in plain
words for this patient, sharing it (the patient is told, without a word about health), and afterwards "Nytt i din
plan": the changes since the reader's previous visit, each reader's visits kept apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from blinker import Namespace
from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from portal.content.services import store as content
from portal.core import forms_due, upsert
from portal.core.clock import as_utc
from portal.db import at_commit
from portal.models import (
    CarePlan,
    CareUnit,
    FormAssignment,
    ItemSource,
    Patient,
    PlanChange,
    PlanItem,
    PlanReading,
    PlanVisit,
    Role,
    User,
)
from portal.plans.services import plans
from portal.plans.services.builder import MAX_TEXT, Change, record_change
from portal.plans.services.timeline import ToLocalDate, next_item

# Sent once a plan is shared, with the session and the patient's account (None: no account yet). The notifications
# feature listens and puts a content-free notice in its outbox (plans may not import notifications).
signals = Namespace()
plan_shared = signals.signal("plan-shared")

# Views of the start page closer together than this are one visit (the patient's session ends after 30 idle minutes).
VISIT_GAP = timedelta(minutes=30)
MAX_NEWS = 5
# What the patient is told about (codes of builder.Change); the care team's own bookkeeping is left out.
NEWS_CODES = (Change.ITEM_ADDED, Change.ITEM_CHANGED, Change.ITEM_REMOVED, Change.PHASE_CHANGED,
              Change.NOTE_CHANGED, Change.READING_CHANGED, Change.VERSION_MOVED, Change.FORM_ASSIGNED,
              Change.HANDED_OVER, Change.SUMMARY_CHANGED)
STAFF_ROLES = (Role.STAFF, Role.ADMIN, Role.EDITOR)


def is_draft(plan: CarePlan) -> bool:
    return plan.shared_at is None


def share(session: Session, plan: CarePlan, actor: User, now: datetime) -> bool:
    """Show the plan to the patient and relatives from now on; False (nothing done) if it is shared already."""
    if not is_draft(plan):
        return False
    plan.shared_at, plan.shared_by = now, actor.id
    record_change(session, plan, actor, Change.PLAN_SHARED)
    patient = session.get(Patient, plan.patient_id)
    account = session.get(User, patient.user_id) if patient and patient.user_id else None
    plan_shared.send(plan, session=session, user=account)
    session.flush()
    return True


# --- the illness in plain words -------------------------------------------------------------------------------------

def check_summary(text: str) -> str | None:
    """An error code for the illness text, or None when it may be saved."""
    if not text.strip():
        return "summary_empty"
    return "summary_long" if len(text) > MAX_TEXT else None


def national_summary(session: Session, plan: CarePlan, language: str) -> str:
    """The national content's text for this plan's diagnosis and version ('' when the content is gone)."""
    template = content.template_version(session, plan.template_key, plan.template_version)
    return str(content.template_data(template, language).get("about", "")) if template else ""


def set_summary(session: Session, plan: CarePlan, actor: User, text: str) -> None:
    """Save this patient's illness text (checked first with check_summary); kept in the history."""
    if text == plan.diagnosis_summary:
        return
    plan.diagnosis_summary = text
    record_change(session, plan, actor, Change.SUMMARY_CHANGED)
    session.flush()


# --- the start page and "Nytt i din plan" ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StartPage:
    """What the patient's start page shows (the patient's own and the nurse's preview alike)."""

    next: PlanItem | None
    units: dict[int, CareUnit]
    contact: plans.Contact
    items: tuple[PlanItem, ...] = ()  # all the plan's items, read once: "Nytt i din plan" names some of them


def start_page(session: Session, plan: CarePlan, today: date, to_local: ToLocalDate) -> StartPage:
    items, named = plans.items_and_units(session, plan.id or 0)
    upcoming = next_item(items, today, to_local)
    units = {upcoming.unit_id: named[upcoming.unit_id]} if upcoming and upcoming.unit_id in named else {}
    return StartPage(upcoming, units, plans.contact_for(session, plan), tuple(items))


@dataclass(frozen=True)
class ToDo:
    """The start page's "Att göra" besides the unread messages (the navigation's count) and "Nytt i din plan": forms
    the care team asked for that are due and not answered, and the plan's articles nobody has opened yet."""

    forms_due: int
    unread_reading: int

    @property
    def empty(self) -> bool:
        return not (self.forms_due or self.unread_reading)


# A form is due as on the forms page (core.forms_due); answering it moves it on. Both counts in one query, built once.
_FORMS_DUE = (select(func.count()).select_from(FormAssignment)
              .where(FormAssignment.plan_id == bindparam("plan_id"), forms_due.due_by(bindparam("now")))
              .scalar_subquery())
_UNREAD_READING = (select(func.count()).select_from(PlanReading)
                   .where(PlanReading.plan_id == bindparam("plan_id"), col(PlanReading.read_at).is_(None))
                   .scalar_subquery())
TO_DO = select(_FORMS_DUE, _UNREAD_READING)
VISIT = (select(PlanVisit.visited_at, PlanVisit.previous_at)
         .where(PlanVisit.plan_id == bindparam("plan_id"), PlanVisit.user_id == bindparam("user_id")))
# On the table, run on the connection: a plain UPDATE, without the ORM's bulk-update handling (a third of the time).
_VISITS = PlanVisit.__table__  # type: ignore[attr-defined]
NEXT_VISIT = (update(_VISITS).where(_VISITS.c.plan_id == bindparam("plan"), _VISITS.c.user_id == bindparam("user"))
              .values(visited_at=bindparam("at"), previous_at=bindparam("previous")))


def to_do(session: Session, plan_id: int, now: datetime) -> ToDo:
    """Both counts in one query, whatever the size of the plan."""
    due, unread_reading = session.execute(TO_DO, {"plan_id": plan_id, "now": now}).one()
    return ToDo(due, unread_reading)


@dataclass(frozen=True)
class Visit:
    """This reader's visit to the start page as it stands after this view: when the one before it began."""

    previous_at: datetime | None


def record_visit(session: Session, plan_id: int, user_id: int, now: datetime) -> Visit:
    """Note this reader's visit to the start page; a view after a pause of VISIT_GAP starts a new visit. It is written
    when the request commits (db.at_commit: the page takes no write lock while drawn); the first visit is inserted
    race-free (two tabs opening the page at once)."""
    row = session.execute(VISIT, {"plan_id": plan_id, "user_id": user_id}).first()
    if row is None:
        at_commit(session, lambda s: s.execute(
            upsert.insert(s, PlanVisit).values(plan_id=plan_id, user_id=user_id, visited_at=now)
            .on_conflict_do_nothing(index_elements=["plan_id", "user_id"])))
        return Visit(previous_at=None)
    previous = row.visited_at if now - as_utc(row.visited_at) > VISIT_GAP else row.previous_at
    at_commit(session, lambda s: s.connection().execute(
        NEXT_VISIT, {"plan": plan_id, "user": user_id, "at": now, "previous": previous}))
    return Visit(previous)


NEWS = (select(PlanChange.what, PlanChange.detail)
        .where(PlanChange.plan_id == bindparam("plan_id"), col(PlanChange.at) > bindparam("since"),
               col(PlanChange.what).in_(NEWS_CODES), col(PlanChange.role).in_(STAFF_ROLES))
        .order_by(col(PlanChange.at).desc(), col(PlanChange.id).desc()).limit(50))


@dataclass(frozen=True)
class News:
    """One line of "Nytt i din plan": a change code, the title or name it is about, and the item's time if known."""

    what: str
    detail: str
    item: PlanItem | None


def news(session: Session, plan: CarePlan, visit: Visit | None,
         items: tuple[PlanItem, ...] | None = None) -> tuple[list[News], bool]:
    """The care team's changes since the reader's previous visit (or since sharing), newest first, one line per
    thing, at most MAX_NEWS; and whether there were more. `items` are the plan's items if read already."""
    since = (visit.previous_at if visit and visit.previous_at else plan.shared_at)
    if since is None:
        return [], False
    changes, seen = [], set()
    for change in session.exec(NEWS, params={"plan_id": plan.id, "since": since}).all():
        key = ((change.detail, "item") if change.what in (Change.ITEM_ADDED, Change.ITEM_CHANGED)
               else (change.detail if change.what == Change.ITEM_REMOVED else "", change.what))
        if key not in seen:
            seen.add(key)
            changes.append(change)
    # The item a line names, for its time: the newest of the care team's items with that title.
    if not changes:
        return [], False
    items = items if items is not None else tuple(plans.plan_items(session, plan.id or 0))
    by_title = {item.title: item for item in sorted(items, key=lambda i: i.id or 0) if item.source == ItemSource.STAFF}
    lines = [News(change.what, change.detail, by_title.get(change.detail)) for change in changes[:MAX_NEWS]]
    return lines, len(changes) > MAX_NEWS
