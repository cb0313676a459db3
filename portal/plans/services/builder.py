"""Building and changing a plan: from a diagnosis's content, item by item, and across care units.

Every change is kept in the plan's history (who, when, what) and moves "last updated"; nothing is half-saved: a
function either checks everything first and adds its changes to the session (the request commits them once, with
their access-log event), or refuses with a code that the view translates.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, bindparam, case, func, or_, true
from sqlmodel import Session, col, select

from portal.content.services import store as content
from portal.core import keyset
from portal.core.clock import EARLIEST_DAY, LATEST_DAY, STOCKHOLM, in_stockholm, utcnow
from portal.core.keyset import Key, Slice
from portal.core.personal_id import InvalidPersonalId, parse_personal_id
from portal.core.text import parse_id
from portal.models import (
    Article,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    ContentTemplate,
    DatePrecision,
    ItemKind,
    ItemSource,
    ItemStatus,
    Patient,
    Phase,
    PlanChange,
    PlanItem,
    PlanReading,
    PlanStatus,
    ReadingResponse,
    StaffMember,
    TeamRole,
    TemplateStatus,
    User,
)
from portal.models.search import PATIENT_NAME_SEARCH  # noqa: F401  (the index _by_name relies on, on the metadata)
from portal.plans.services import plans
from portal.plans.services.timeline import last_possible_day, sort_key

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_PLACE = 200
UPCOMING = (ItemStatus.PLANNED, ItemStatus.BOOKED)


class Change:
    """What a history row says happened (codes; the history page translates them)."""

    PLAN_CREATED = "plan_created"
    ITEM_ADDED = "item_added"
    ITEM_CHANGED = "item_changed"
    ITEM_REMOVED = "item_removed"
    ITEM_MOVED = "item_moved"
    READING_CHANGED = "reading_changed"
    NOTE_CHANGED = "note_changed"
    HANDED_OVER = "handed_over"
    UNIT_REMOVED = "unit_removed"
    VERSION_MOVED = "version_moved"
    WHAT_MATTERS = "what_matters"
    PATIENT_ITEM_ADDED = "patient_item_added"
    PATIENT_ITEM_CHANGED = "patient_item_changed"
    PATIENT_ITEM_REMOVED = "patient_item_removed"
    PHASE_CHANGED = "phase_changed"
    FORM_ASSIGNED = "form_assigned"
    ALERT_HANDLED = "alert_handled"
    PLAN_SHARED = "plan_shared"
    SUMMARY_CHANGED = "summary_changed"


@dataclass
class ItemInput:
    """What an item form sent, kept as text so that a refused form shows exactly what was typed."""

    title: str = ""
    phase: str = Phase.INVESTIGATION
    kind: str = ItemKind.APPOINTMENT
    status: str = ItemStatus.PLANNED
    day: str = ""
    clock: str = ""
    precision: str = DatePrecision.DAY
    location: str = ""
    unit_id: str = ""
    preparation: str = ""
    body: str = ""
    shown_day: str = ""  # the date and precision the form showed; "chosen" once the precision was chosen by hand
    shown_precision: str = ""

    @classmethod
    def from_form(cls, form: dict[str, str]) -> ItemInput:
        fields = cls.__dataclass_fields__
        data = cls(**{name: str(form.get(name, "")).strip() for name in fields if name in form})
        data.precision = data.meant_precision()
        return data

    def meant_precision(self) -> str:
        """A date or a time typed while the precision was left as the form showed it makes the date exact: a week's
        item given a real date (and time) needs no second change. A precision chosen by hand is kept."""
        left_as_shown = self.precision == (self.shown_precision or DatePrecision.DAY)
        typed = bool(self.clock) or (bool(self.day) and self.day != self.shown_day)
        return DatePrecision.DAY if left_as_shown and typed else self.precision

    @classmethod
    def from_item(cls, item: PlanItem) -> ItemInput:
        local = in_stockholm(item.starts_at) if item.starts_at else None
        precision = item.date_precision
        return cls(title=item.title, phase=item.phase, kind=item.kind, status=item.status,
                   day=local.date().isoformat() if local else "",
                   clock=local.strftime("%H:%M") if local and precision == DatePrecision.TIME else "",
                   precision=DatePrecision.DAY if precision == DatePrecision.TIME else precision,
                   location=item.location, unit_id=str(item.unit_id or ""), preparation=item.preparation,
                   body=item.body, shown_day=local.date().isoformat() if local else "",
                   shown_precision=DatePrecision.DAY if precision == DatePrecision.TIME else precision)


@dataclass(frozen=True)
class CheckedItem:
    title: str
    phase: str
    kind: str
    status: str
    starts_at: datetime | None
    precision: str
    location: str
    unit_id: int | None
    preparation: str
    body: str


def record_change(session: Session, plan: CarePlan, actor: User, what: str, detail: str = "") -> None:
    """Keep one line of history and move the plan's 'last updated' (committed with the caller's work)."""
    session.add(PlanChange(plan_id=plan.id or 0, actor_user_id=actor.id, role=actor.role, what=what,
                           detail=detail[:300]))
    plan.updated_at = utcnow()
    session.add(plan)


def history(session: Session, plan_id: int) -> list[tuple[PlanChange, str | None]]:
    query = (
        select(PlanChange, User.name)
        .join(User, col(User.id) == PlanChange.actor_user_id, isouter=True)
        .where(PlanChange.plan_id == plan_id)
        .order_by(col(PlanChange.at).desc(), col(PlanChange.id).desc())
    )
    return [(change, name) for change, name in session.exec(query).all()]


# --- dates -----------------------------------------------------------------------------------------------------------

def _local_start(day: date, clock: time | None = None) -> datetime:
    return datetime.combine(day, clock or time(12, 0), tzinfo=STOCKHOLM).astimezone(UTC)


def check_item(data: ItemInput, team_units: set[int], today: date, patient_item: bool = False
               ) -> tuple[CheckedItem | None, dict[str, str]]:
    """Check an item form; errors are codes per field (the view translates them)."""
    errors: dict[str, str] = {}
    if not data.title:
        errors["title"] = "title_required"
    elif len(data.title) > MAX_TITLE:
        errors["title"] = "title_too_long"
    if data.phase not in list(Phase):
        errors["phase"] = "choose"
    if data.kind not in list(ItemKind):
        errors["kind"] = "choose"
    if data.status not in list(ItemStatus):
        errors["status"] = "choose"
    if data.precision not in (DatePrecision.DAY, DatePrecision.WEEK, DatePrecision.MONTH):
        errors["precision"] = "choose"
    for name, limit in (("location", MAX_PLACE), ("preparation", MAX_TEXT), ("body", MAX_TEXT)):
        if len(getattr(data, name)) > limit:
            errors[name] = "too_long"
    day = clock = None
    if data.day:
        try:
            day = date.fromisoformat(data.day)
        except ValueError:
            errors["day"] = "not_a_date"
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            errors["day"], day = "out_of_range", None
    elif patient_item:
        errors["day"] = "date_required"
    if data.clock:
        try:
            clock = time.fromisoformat(data.clock)
        except ValueError:
            errors["clock"] = "not_a_time"
        if not data.day and "day" not in errors:
            errors["day"] = "date_for_time"
        if data.precision != DatePrecision.DAY and "precision" not in errors:
            errors["clock"] = "time_needs_day"
    if day and "precision" not in errors and data.status in UPCOMING and last_possible_day(day, data.precision) < today:
        errors["day"] = "in_the_past"
    unit_id = None
    if data.unit_id:
        unit_id = parse_id(data.unit_id) or -1
        if unit_id not in team_units:
            errors["unit_id"] = "choose"
    if errors:
        return None, errors
    precision = DatePrecision.TIME if clock else data.precision
    starts_at = None
    if day:
        if precision == DatePrecision.WEEK:
            day = day - timedelta(days=day.weekday())
        elif precision == DatePrecision.MONTH:
            day = day.replace(day=1)
        starts_at = _local_start(day, clock)
    return CheckedItem(data.title, data.phase, data.kind, data.status, starts_at, precision, data.location,
                       unit_id, data.preparation, data.body), errors


def _apply(item: PlanItem, checked: CheckedItem) -> None:
    item.title = checked.title
    item.phase = checked.phase
    item.kind = checked.kind
    item.status = checked.status
    item.starts_at = checked.starts_at
    item.date_precision = checked.precision
    item.location = checked.location
    item.unit_id = checked.unit_id
    item.preparation = checked.preparation
    item.body = checked.body
    item.updated_at = utcnow()


def _next_position(session: Session, plan_id: int) -> int:
    positions = session.exec(select(PlanItem.position).where(PlanItem.plan_id == plan_id)).all()
    return max(positions, default=-1) + 1


def add_item(session: Session, plan: CarePlan, actor: User, checked: CheckedItem,
             source: str = ItemSource.STAFF) -> PlanItem:
    item = PlanItem(plan_id=plan.id or 0, phase=checked.phase, title=checked.title, source=source,
                    position=_next_position(session, plan.id or 0))
    _apply(item, checked)
    session.add(item)
    what = Change.PATIENT_ITEM_ADDED if source == ItemSource.PATIENT else Change.ITEM_ADDED
    record_change(session, plan, actor, what, checked.title)
    session.flush()
    return item


def change_item(session: Session, plan: CarePlan, actor: User, item: PlanItem, checked: CheckedItem) -> None:
    _apply(item, checked)
    session.add(item)
    what = Change.PATIENT_ITEM_CHANGED if item.source == ItemSource.PATIENT else Change.ITEM_CHANGED
    record_change(session, plan, actor, what, checked.title)
    session.flush()


def remove_item(session: Session, plan: CarePlan, actor: User, item: PlanItem) -> None:
    what = Change.PATIENT_ITEM_REMOVED if item.source == ItemSource.PATIENT else Change.ITEM_REMOVED
    record_change(session, plan, actor, what, item.title)
    session.delete(item)
    session.flush()


def move_item(session: Session, plan: CarePlan, actor: User, item: PlanItem, direction: int) -> str | None:
    """Swap an item with its neighbour in the same phase; dated items stay in date order (an error code then)."""
    same_phase = sorted((i for i in plans.plan_items(session, plan.id or 0) if i.phase == item.phase), key=sort_key)
    index = next(n for n, other in enumerate(same_phase) if other.id == item.id)
    target = index + direction
    if not 0 <= target < len(same_phase):
        return "edge"
    other = same_phase[target]
    if item.starts_at != other.starts_at:
        return "dated"  # the timeline shows dated items in date order, and undated ones last
    # Positions may repeat (items made at once); give the phase distinct ones before swapping.
    for position, each in enumerate(same_phase):
        each.position = position
    item.position, other.position = other.position, item.position
    session.add_all(same_phase)
    record_change(session, plan, actor, Change.ITEM_MOVED, item.title)
    session.flush()
    return None


# --- team ------------------------------------------------------------------------------------------------------------

def team(session: Session, plan_id: int) -> list[tuple[CareTeamMembership, CareUnit]]:
    """The units that hold the plan now: the responsible one first."""
    query = (
        select(CareTeamMembership, CareUnit)
        .join(CareUnit, col(CareUnit.id) == CareTeamMembership.unit_id)
        .where(CareTeamMembership.plan_id == plan_id, col(CareTeamMembership.until).is_(None))
        .order_by(col(CareTeamMembership.role).desc(), CareUnit.name)
    )
    return [(membership, unit) for membership, unit in session.exec(query).all()]


_WORKS_THERE = (select(StaffMember.id).where(StaffMember.user_id == bindparam("user_id"),
                                             StaffMember.unit_id == CareTeamMembership.unit_id)
                .exists().correlate(CareTeamMembership))
_TEAM_AND_EDITABLE = (
    select(CareTeamMembership, CareUnit, _WORKS_THERE)
    .join(CareUnit, col(CareUnit.id) == CareTeamMembership.unit_id)
    .where(CareTeamMembership.plan_id == bindparam("plan_id"), col(CareTeamMembership.until).is_(None))
    .order_by(col(CareTeamMembership.role).desc(), CareUnit.name)
)
_READING_PROGRESS = (
    select(func.count(), func.count(case((PlanReading.response == ReadingResponse.UNDERSTOOD, 1))))
    .join(Article, col(Article.id) == PlanReading.article_id)
    .where(PlanReading.plan_id == bindparam("plan_id"))
)
_NEWER_VERSION = select(func.max(ContentTemplate.version)).where(
    ContentTemplate.diagnosis_key == bindparam("key"), ContentTemplate.status == TemplateStatus.PUBLISHED,
    select(ContentTemplate.id).where(ContentTemplate.diagnosis_key == bindparam("key"),
                                     ContentTemplate.version == bindparam("version")).exists())


def team_and_editable(session: Session, user_id: int, plan_id: int
                      ) -> tuple[list[tuple[CareTeamMembership, CareUnit]], bool]:
    """The plan page's `team` and `staff_may_edit_plan` in one query: each unit of the team, and whether this staff
    member works at the responsible one."""
    rows = session.execute(_TEAM_AND_EDITABLE, {"user_id": user_id, "plan_id": plan_id}).all()
    editable = any(membership.role == TeamRole.RESPONSIBLE and works for membership, _unit, works in rows)
    return [(membership, unit) for membership, unit, _works in rows], editable


def reading_progress(session: Session, plan_id: int) -> tuple[int, int]:
    """How many articles the plan's reading holds and how many of them the patient understood (the plan page's
    'Reading (2/5)'), counted without loading the articles."""
    total, done = session.execute(_READING_PROGRESS, {"plan_id": plan_id}).one()
    return total, done


def newer_version(session: Session, plan: CarePlan) -> int | None:
    """The newer published version of the plan's content it can move to (reading.version_choice), by its number
    only: the highest published version above the plan's, if the plan's own version exists."""
    if plan.template_version is None:
        return None
    newest = session.execute(_NEWER_VERSION, {"key": plan.template_key, "version": plan.template_version}).scalar()
    return newest if newest is not None and newest > plan.template_version else None


def staff_may_edit_plan(session: Session, user_id: int, plan_id: int) -> bool:
    """Only staff of the responsible unit change a plan; participating units may read it."""
    query = (
        select(CareTeamMembership.id)
        .join(StaffMember, col(StaffMember.unit_id) == CareTeamMembership.unit_id)
        .where(StaffMember.user_id == user_id, CareTeamMembership.plan_id == plan_id,
               CareTeamMembership.role == TeamRole.RESPONSIBLE, col(CareTeamMembership.until).is_(None))
    )
    return session.exec(query).first() is not None


def nurses_by_unit(session: Session, unit_ids: list[int] | None = None) -> list[tuple[CareUnit, StaffMember, str]]:
    """The units (every unit, or these) with their staff, for choosing who takes a plan over."""
    query = (
        select(CareUnit, StaffMember, User.name)
        .join(StaffMember, col(StaffMember.unit_id) == CareUnit.id)
        .join(User, col(User.id) == StaffMember.user_id)
        .where(User.is_active, *([col(CareUnit.id).in_(unit_ids)] if unit_ids is not None else []))
        .order_by(CareUnit.name, User.name)
    )
    return [(unit, member, name) for unit, member, name in session.exec(query).all()]


def remove_unit(session: Session, plan: CarePlan, actor: User, membership_id: int) -> str | None:
    """A participating unit leaves the team (its read access ends); the responsible unit cannot be removed."""
    membership = session.get(CareTeamMembership, membership_id)
    if membership is None or membership.plan_id != plan.id or membership.until is not None:
        return "choose"
    if membership.role == TeamRole.RESPONSIBLE:
        return "responsible"
    membership.until = utcnow()
    session.add(membership)
    unit = session.get(CareUnit, membership.unit_id)
    record_change(session, plan, actor, Change.UNIT_REMOVED, unit.name if unit else "")
    session.flush()
    return None


# --- plans and reading -----------------------------------------------------------------------------------------------

FIND_PAGE = 20
MAX_NAME_WORDS = 4
BIG_UNITS = 5000  # more care-team places than this in the nurse's units: start from the name index instead
Found = tuple[Patient, CarePlan | None]


def find_patients(session: Session, unit_ids: list[int], text: str, after: int | None = None,
                  size: int = FIND_PAGE) -> tuple[Slice[Found], int]:
    """A full personal number finds that person anywhere (a referral); the beginnings of name words (or of a number)
    only among the units' plans, a page at a time by name, after patient `after`. Also how many were found."""
    text = text.strip()
    try:
        number = parse_personal_id(text.replace(" ", ""))
    except InvalidPersonalId:
        number = None
    if number is not None:
        found = _by_number(session, number.digits)
        return Slice(found), len(found)
    if len(text) < 2 or not unit_ids:
        return Slice([]), 0
    hits = _hits(session, unit_ids, text)
    candidates, keys = _matching(hits, text)
    start = _start(session, candidates, keys, hits, after)
    top = keyset.top(candidates, keys, start, size + 1, counted=True)
    query = (select(Patient, CarePlan, top.c.total).join(top, top.c.patient_id == Patient.id)
             .join(CarePlan, col(CarePlan.id) == top.c.plan_id).order_by(top.c.rank))
    found = session.exec(query).all()
    seen: dict[int, Found] = {}
    for patient, plan, _total in found:
        seen.setdefault(patient.id or 0, (patient, plan))
    return keyset.cut(list(seen.values()), size, lambda row: row[0].id, start), found[0][2] if found else 0


def _by_number(session: Session, digits: str) -> list[Found]:
    patient = session.exec(select(Patient).where(Patient.personal_id == digits)).first()
    if patient is None:
        return []
    plan = session.exec(select(CarePlan).where(CarePlan.patient_id == patient.id,
                                               CarePlan.status == PlanStatus.ACTIVE)).first()
    return [(patient, plan)]


def _hits(session: Session, unit_ids: list[int], text: str) -> CTE:
    """The units' active plans with their patient's name and number. Usually looked up plan by plan (primary keys:
    the cost is the units' size, never the country's); for very big units, from the patients whose name holds each
    typed word, which PostgreSQL finds with the trigram index ix_patient_name_trgm."""
    in_units = select(CareTeamMembership.plan_id).where(col(CareTeamMembership.unit_id).in_(unit_ids),
                                                        col(CareTeamMembership.until).is_(None))
    ever = select(CareTeamMembership.unit_id).where(col(CareTeamMembership.unit_id).in_(unit_ids))  # index only
    size = select(func.count()).select_from(ever.limit(BIG_UNITS + 1).subquery())
    if session.execute(size).scalar_one() > BIG_UNITS:
        words = [] if _digits(text) else _words(text)
        query = (select(col(CarePlan.id).label("plan_id"), col(CarePlan.patient_id).label("patient_id"),
                        col(Patient.name).label("name"), col(Patient.personal_id).label("number"))
                 .join(Patient, col(Patient.id) == CarePlan.patient_id)
                 .where(col(CarePlan.id).in_(in_units), CarePlan.status == PlanStatus.ACTIVE,
                        *(or_(*(col(Patient.name).ilike(f"%{form}%", escape="\\") for form in _forms(word)))
                          for word in words)))
        return query.cte("hit")
    plan = in_units.distinct().subquery("unit_plan")
    person = (select(col(CarePlan.patient_id).label("patient_id"), col(Patient.name).label("name"),
                     col(Patient.personal_id).label("number"))
              .join(Patient, col(Patient.id) == CarePlan.patient_id)
              .where(CarePlan.id == plan.c.plan_id, CarePlan.status == PlanStatus.ACTIVE))
    if session.get_bind().dialect.name == "postgresql":
        # LATERAL … LIMIT 1: each plan looked up by primary key, never joined by scanning the country's patients.
        found = person.limit(1).lateral("person")
        return (select(plan.c.plan_id, found.c.patient_id, found.c.name, found.c.number)
                .select_from(plan.join(found, true())).cte("hit"))
    return person.add_columns(plan.c.plan_id).cte("hit")  # SQLite looks each plan up by primary key as it is


def _matching(hits: CTE, text: str) -> tuple[Select, list[Key]]:
    """The hits whose name has a word starting with each word typed (or whose number starts with the digits typed),
    in name order."""
    digits = _digits(text)
    matches = ([hits.c.number.startswith(digits, autoescape=True)] if digits
               else [_word_start(hits.c.name, word) for word in _words(text)])
    query = select(hits.c.plan_id, hits.c.patient_id).where(hits.c.patient_id.is_not(None), *matches)
    return query, [Key(hits.c.name), Key(hits.c.patient_id)]


def _words(text: str) -> list[str]:
    return text.split()[:MAX_NAME_WORDS]


def _digits(text: str) -> str:
    """The digits of a number's beginning ('19570923-98'), or '' when the text is a name."""
    digits = text.replace("-", "").replace(" ", "")
    return digits if digits.isdecimal() and digits.isascii() else ""


def _escaped(word: str) -> str:
    """% and _ as plain letters in a LIKE pattern."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _forms(word: str) -> list[str]:
    """The word for a LIKE pattern (% and _ as plain letters). SQLite folds only a-z, so a first letter such as Ö
    is also tried as a capital and as a small letter."""
    escaped = _escaped(word)
    if escaped[:1].isascii():
        return [escaped]
    return sorted({escaped, escaped[:1].upper() + escaped[1:], escaped[:1].lower() + escaped[1:]})


def _word_start(name: Any, word: str) -> ColumnElement[bool]:
    """Some word of the name (after a space or a hyphen) starts with `word`, in any case."""
    return or_(*(name.ilike(pattern, escape="\\") for form in _forms(word)
                 for pattern in (f"{form}%", f"% {form}%", f"%-{form}%")))


def _start(session: Session, candidates: Select, keys: list[Key], hits: CTE,
           patient_id: int | None) -> tuple[object, ...] | None:
    """Where this patient stands among the hits; None if the patient is not one of them (then the first page)."""
    if patient_id is None:
        return None
    found = session.execute(candidates.where(hits.c.patient_id == patient_id)
                            .with_only_columns(*(key.column for key in keys)).limit(1)).first()
    return tuple(found) if found is not None else None


def readable_plans(session: Session, user_id: int, plan_ids: list[int]) -> set[int]:
    """Which of these plans the staff member may read (a unit of theirs is in the care team now), in one query."""
    if not plan_ids:
        return set()
    query = (select(CareTeamMembership.plan_id)
             .join(StaffMember, col(StaffMember.unit_id) == CareTeamMembership.unit_id)
             .where(StaffMember.user_id == user_id, col(CareTeamMembership.plan_id).in_(plan_ids),
                    col(CareTeamMembership.until).is_(None)))
    return set(session.exec(query).all())


@dataclass
class NewPlanInput:
    """What the nurse chose for a new plan, kept as text so that a refused form shows it again."""

    diagnosis: str = ""
    start: str = ""
    nurse: str = ""


def check_new_plan(session: Session, data: NewPlanInput, nurses: list[StaffMember], today: date
                   ) -> tuple[tuple[ContentTemplate, date, StaffMember] | None, dict[str, str]]:
    """The diagnosis's newest published content, the start day (today if empty) and a nurse of the nurse's own
    units; or error codes per field (the view translates them)."""
    errors: dict[str, str] = {}
    diagnoses = content.published_diagnoses(session)
    template = content.latest_published(session, data.diagnosis) if data.diagnosis in diagnoses else None
    if template is None:
        errors["diagnosis"] = "choose_diagnosis"
    try:
        start = date.fromisoformat(data.start) if data.start else today
    except ValueError:
        errors["start"] = "not_a_date"
    else:
        if not EARLIEST_DAY <= start <= LATEST_DAY:
            errors["start"] = "out_of_range"
    nurse = next((member for member in nurses if str(member.id) == data.nurse), None)
    if nurse is None:
        errors["nurse"] = "choose_nurse"
    if errors:
        return None, errors
    return (template, start, nurse), {}


def create_plan(session: Session, patient: Patient, template: ContentTemplate, nurse: StaffMember, actor: User,
                start: date) -> CarePlan:
    """A plan from a diagnosis: the skeleton becomes items (approximate weeks), every article becomes reading. It is
    a draft, hidden from the patient, until the nurse shares it (services/lifecycle.py)."""
    data = content.template_data(template, patient.language)
    plan = CarePlan(patient_id=patient.id, template_key=template.diagnosis_key, template_version=template.version,
                    diagnosis_summary=data["about"], contact_nurse_id=nurse.id)
    session.add(plan)
    session.flush()
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=nurse.unit_id, role=TeamRole.RESPONSIBLE))
    monday = start - timedelta(days=start.weekday())
    for position, step in enumerate(data["skeleton"]):
        when = _local_start(monday + timedelta(weeks=step["week"] - 1))
        session.add(PlanItem(plan_id=plan.id, phase=step["phase"], kind=step["kind"], title=step["title"],
                             preparation=step["preparation"], starts_at=when, date_precision=DatePrecision.WEEK,
                             status=ItemStatus.PLANNED, unit_id=nurse.unit_id, position=position,
                             text_language=getattr(step["title"], "lang", "sv")))
    for article in content.articles_of(session, template.id or 0):
        session.add(PlanReading(plan_id=plan.id, article_id=article.id))
    record_change(session, plan, actor, Change.PLAN_CREATED, data["name"])
    session.flush()
    return plan


MAX_DOCTOR = 200


def set_details(session: Session, plan: CarePlan, actor: User, phase: str, doctor: str, note: str) -> bool:
    """The current part of care, the responsible doctor and the personal note; False (nothing saved) if invalid.

    A new current part of care is its own line in the history.
    """
    if len(note) > MAX_TEXT or len(doctor) > MAX_DOCTOR or phase not in list(Phase):
        return False
    if phase != plan.current_phase:
        plan.current_phase = phase
        record_change(session, plan, actor, Change.PHASE_CHANGED, phase)
    if (doctor, note) != (plan.responsible_doctor, plan.personal_note):  # "Nytt i din plan" tells real changes only
        plan.responsible_doctor = doctor
        plan.personal_note = note
        record_change(session, plan, actor, Change.NOTE_CHANGED)
    session.flush()
    return True


def set_what_matters(session: Session, plan: CarePlan, actor: User, text: str) -> None:
    plan.what_matters = text
    plan.what_matters_at = utcnow()
    record_change(session, plan, actor, Change.WHAT_MATTERS)
    session.flush()


# --- lists by name ---------------------------------------------------------------------------------------------------

SWEDISH_LAST = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})  # after z, as in Swedish


def name_key(name: str, language: str) -> tuple[str, str]:
    """Sort by what people read, in their alphabet and whatever the server's locale: case and accents aside, and in
    Swedish å, ä and ö last ("Äggstockscancer" after "Urinblåsecancer"; in English among the a's)."""
    folded = name.casefold()
    if language == "sv":
        folded = folded.translate(SWEDISH_LAST)
    plain = "".join(char for char in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(char))
    return plain, name


def by_name(names: Mapping[str, str], language: str) -> list[tuple[str, str]]:
    """(code, name) pairs in the order of their displayed names: the diagnosis choices of the builder and the
    caseload."""
    return sorted(names.items(), key=lambda pair: name_key(pair[1], language))
