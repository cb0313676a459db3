"""The message thread of a care plan: writing once, reading in pages, read state and handling."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CTE, ColumnElement, ScalarSelect, Select, and_, bindparam, case, func
from sqlmodel import Session, col, select

from portal.core import keyset, upsert
from portal.core.clock import utcnow
from portal.core.keyset import Key, Slice
from portal.models import (
    MAX_MESSAGE_LENGTH,
    CarePlan,
    CareTeamMembership,
    Message,
    MessageReadState,
    MessageThreadState,
    Patient,
    Role,
    StaffMember,
    User,
)
from portal.notifications.services import queue_new_message
from portal.plans.services.plans import staff_title

PAGE_SIZE = 30
INBOX_PAGE = 50
CARE_SIDE = (Role.STAFF,)
_KEEP = {"\n", "\t"}
_CLIENT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class BodyError(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Page:
    """Messages oldest first, and whether older ones exist."""

    messages: list[Message]
    has_older: bool

    @property
    def oldest_id(self) -> int | None:
        return self.messages[0].id if self.messages else None

    @property
    def newest_id(self) -> int:
        return self.messages[-1].id or 0 if self.messages else 0


def clean_body(raw: str) -> str:
    """Line breaks kept (as \\n), control characters dropped, outer blank space trimmed."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return text.strip()


def check_body(body: str) -> BodyError | None:
    if not body:
        return BodyError.EMPTY
    if len(body) > MAX_MESSAGE_LENGTH:
        return BodyError.TOO_LONG
    return None


def valid_client_token(token: str) -> bool:
    return bool(_CLIENT_TOKEN.match(token or ""))


def post_message(session: Session, plan_id: int, author: User, author_title: str, body: str,
                 client_token: str, role: str | None = None) -> tuple[Message, bool]:
    """Add a message once: the same author and client token return the first one (False = not new)."""
    existing = _by_token(session, author.id, client_token)
    if existing is not None:
        return existing, False
    values = Message(plan_id=plan_id, author_user_id=author.id, author_role=role or author.role,
                     author_name=author.name, author_title=author_title, body=body,
                     client_token=client_token).model_dump(exclude={"id"})
    # A parallel request with the same token may have won: the insert then does nothing (no error, no rollback).
    new_id = session.execute(upsert.insert(session, Message).values(**values)
                             .on_conflict_do_nothing(index_elements=["author_user_id", "client_token"])
                             .returning(Message.id)).scalar_one_or_none()
    return _by_token(session, author.id, client_token), new_id is not None  # type: ignore[return-value]


def reply(session: Session, plan: CarePlan, patient: Patient, nurse: User, unit_id: int, body: str,
          client_token: str) -> tuple[Message, bool]:
    """The care team answers once: the thread is read and dealt with, and the patient gets a content-free nudge."""
    message, created = post_message(session, plan.id or 0, nurse, staff_title(session, nurse.id or 0, unit_id), body,
                                    client_token)
    if created:
        mark_read(session, plan.id or 0, nurse.id or 0, message.id or 0)
        mark_handled(session, plan.id or 0, nurse)
        patient_user = session.get(User, patient.user_id) if patient.user_id else None
        if patient_user is not None and plan.shared_at is not None:  # a draft's patient cannot read it yet
            queue_new_message(session, patient_user)
    return message, created


def _by_token(session: Session, user_id: int | None, token: str) -> Message | None:
    query = select(Message).where(Message.author_user_id == user_id, Message.client_token == token)
    return session.exec(query).first()


def page_before(session: Session, plan_id: int, before_id: int | None = None, size: int = PAGE_SIZE) -> Page:
    """The `size` messages before `before_id` (or the latest), by keyset on (plan_id, id)."""
    query = select(Message).where(Message.plan_id == plan_id)
    if before_id is not None:
        query = query.where(col(Message.id) < before_id)
    rows = list(session.exec(query.order_by(col(Message.id).desc()).limit(size + 1)).all())
    return Page(list(reversed(rows[:size])), has_older=len(rows) > size)


def message_before(session: Session, plan_id: int, message_id: int) -> Message | None:
    """The message just before this one in the thread (to know whether a new day starts)."""
    page = page_before(session, plan_id, message_id, size=1)
    return page.messages[0] if page.messages else None


def messages_after(session: Session, plan_id: int, after_id: int, limit: int = 200) -> list[Message]:
    """New messages since `after_id`, oldest first (what a poll brings)."""
    query = (select(Message).where(Message.plan_id == plan_id, col(Message.id) > after_id)
             .order_by(col(Message.id)).limit(limit))
    return list(session.exec(query).all())


def mark_read(session: Session, plan_id: int, user_id: int, upto_id: int) -> None:
    """Move the reader's mark forward (never back), in one statement however many tabs read at once."""
    stmt = upsert.insert(session, MessageReadState).values(plan_id=plan_id, user_id=user_id, last_read_id=upto_id)
    forward = case((stmt.excluded.last_read_id > MessageReadState.last_read_id, stmt.excluded.last_read_id),
                   else_=MessageReadState.last_read_id)
    session.execute(stmt.on_conflict_do_update(index_elements=["plan_id", "user_id"],
                                               set_={"last_read_id": forward}))


def set_read_mark(session: Session, plan_id: int, user_id: int, last_read_id: int) -> None:
    """Put the reader's mark exactly here (used to mark a thread unread again)."""
    stmt = upsert.insert(session, MessageReadState).values(plan_id=plan_id, user_id=user_id, last_read_id=last_read_id)
    session.execute(stmt.on_conflict_do_update(index_elements=["plan_id", "user_id"],
                                               set_={"last_read_id": stmt.excluded.last_read_id}))


def _set_thread_state(session: Session, plan_id: int, **values: object) -> None:
    """Create or change the care team's handling of a thread in one statement (nurses may press at once)."""
    stmt = upsert.insert(session, MessageThreadState).values(plan_id=plan_id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["plan_id"],
                                               set_={name: stmt.excluded[name] for name in values}))


SHOWS = ("all", "unhandled", "mine")  # the inbox's filters: the units' threads, those not dealt with, my patients'
PREVIEW = 90  # characters of the last message's first line


@dataclass(frozen=True)
class InboxRow:
    plan: CarePlan
    patient: Patient
    last_message_at: datetime
    unhandled: bool
    unread: bool
    preview: str = ""
    unread_count: int = 0


def preview(body: str, limit: int = PREVIEW) -> str:
    """The first line with text, shortened to `limit` characters (plain text: the template escapes it)."""
    line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def _threads(user_id: int, unit_ids: list[int], plan_id: int | None, show: str = "all") -> CTE:
    """Each plan of these units (one plan with `plan_id`; only those where this user is the contact nurse with
    'mine') with what its place in the inbox depends on, by a few index look-ups per plan (the (plan_id, id) index
    for messages): never the country's messages, plans or read marks."""
    units = select(CareTeamMembership.plan_id).where(col(CareTeamMembership.unit_id).in_(unit_ids),
                                                     col(CareTeamMembership.until).is_(None))
    if show == "mine":
        nurse = select(StaffMember.id).where(StaffMember.user_id == user_id)
        units = units.where(col(CareTeamMembership.plan_id).in_(
            select(CarePlan.id).where(col(CarePlan.contact_nurse_id).in_(nurse))))
    unit_plan = (units.where(CareTeamMembership.plan_id == plan_id) if plan_id is not None else units).distinct()
    plan = unit_plan.subquery("unit_plan").c.plan_id

    def per_plan(query: Select, column: ColumnElement) -> ScalarSelect:
        return query.where(column == plan).scalar_subquery()

    return select(
        plan.label("plan_id"), per_plan(select(func.max(Message.id)), Message.plan_id).label("last_id"),
        per_plan(select(func.max(Message.id)).where(col(Message.author_role).not_in(CARE_SIDE)), Message.plan_id)
        .label("last_patient_id"),
        per_plan(select(MessageThreadState.handled_upto_id), MessageThreadState.plan_id).label("handled_upto_id"),
        per_plan(select(MessageReadState.last_read_id).where(MessageReadState.user_id == user_id),
                 MessageReadState.plan_id).label("last_read_id"),
    ).cte("thread").prefix_with("MATERIALIZED")


def _states(thread: CTE) -> tuple[ColumnElement, ColumnElement]:
    """Not dealt with (a patient message after the team's mark) and unread (a patient message after my mark)."""
    last_patient = func.coalesce(thread.c.last_patient_id, 0)
    unhandled = case((last_patient > func.coalesce(thread.c.handled_upto_id, 0), 1), else_=0)
    unread = case((last_patient > func.coalesce(thread.c.last_read_id, 0), 1), else_=0)
    return unhandled, unread


def _ranked(user_id: int, unit_ids: list[int], plan_id: int | None = None,
            show: str = "all") -> tuple[Select, list[Key]]:
    """The threads (those with messages) and their order: a patient message not dealt with first, then the newest."""
    thread = _threads(user_id, unit_ids, plan_id, show)
    unhandled, unread = _states(thread)
    query = (select(thread.c.plan_id, thread.c.last_id, unhandled.label("unhandled"), unread.label("unread"))
             .where(thread.c.last_id.is_not(None)))
    if show == "unhandled":
        query = query.where(unhandled == 1)
    return query, [Key(unhandled, descending=True), Key(thread.c.last_id, descending=True)]


def inbox(session: Session, user_id: int, unit_ids: list[int], after: int | None = None,
          size: int = INBOX_PAGE, show: str = "all") -> Slice[InboxRow]:
    """One page of the units' threads (all, those not dealt with, or those of my patients), after the thread of plan
    `after` (the first page if it is not in the list). The order is found from the per-plan look-ups alone; only
    the page's plans, patients and last messages are then read, and the page's unread counts in one grouped query."""
    if not unit_ids:
        return Slice([])
    show = show if show in SHOWS else "all"
    ranked, keys = _ranked(user_id, unit_ids, show=show)
    start = _inbox_key(session, user_id, unit_ids, after, show) if after is not None else None
    top = keyset.top(ranked, keys, start, size + 1)
    query = (select(CarePlan, Patient, Message.created_at, Message.body, top.c.unhandled, top.c.unread)
             .join(top, top.c.plan_id == CarePlan.id).join(Patient, col(Patient.id) == CarePlan.patient_id)
             .join(Message, col(Message.id) == top.c.last_id).order_by(top.c.rank))
    found = session.exec(query).all()
    counts = unread_counts(session, user_id, [plan.id or 0 for plan, *_rest in found[:size]])
    rows = [InboxRow(plan, patient, last_at, bool(unhandled), bool(unread), preview(body), counts.get(plan.id, 0))
            for plan, patient, last_at, body, unhandled, unread in found]
    return keyset.cut(rows, size, lambda row: row.plan.id, start)


def _inbox_key(session: Session, user_id: int, unit_ids: list[int], plan_id: int,
               show: str = "all") -> tuple[object, ...] | None:
    """Where the thread of this plan stands in the inbox now; None if it is not one of the units' threads."""
    ranked, keys = _ranked(user_id, unit_ids, plan_id, show)
    found = session.execute(ranked.with_only_columns(*(key.column for key in keys))).first()
    return tuple(found) if found is not None else None


def unread_counts(session: Session, user_id: int, plan_ids: list[int]) -> dict[int, int]:
    """Per plan, the messages from the patient's side after this reader's mark: one grouped query for a page."""
    if not plan_ids:
        return {}
    mark = and_(MessageReadState.plan_id == Message.plan_id, MessageReadState.user_id == user_id)
    query = (select(Message.plan_id, func.count()).outerjoin(MessageReadState, mark)
             .where(col(Message.plan_id).in_(plan_ids), col(Message.author_role).not_in(CARE_SIDE),
                    col(Message.id) > func.coalesce(MessageReadState.last_read_id, 0))
             .group_by(Message.plan_id))
    return {plan_id: count for plan_id, count in session.exec(query).all()}


def waiting_threads(session: Session, user_id: int, unit_ids: list[int]) -> int:
    """The staff navigation's badge: the units' threads with a patient message this nurse has not read and no one
    has dealt with yet (the per-plan look-ups of the inbox, counted)."""
    if not unit_ids:
        return 0
    thread = _threads(user_id, unit_ids, None)
    unhandled, unread = _states(thread)
    query = select(func.count()).select_from(thread).where(unhandled == 1, unread == 1)
    return session.execute(query).scalar_one()


def mark_handled(session: Session, plan_id: int, user: User) -> None:
    """Every patient message so far is dealt with; the caller commits."""
    newest = session.exec(select(func.max(Message.id)).where(Message.plan_id == plan_id)).one() or 0
    _set_thread_state(session, plan_id, handled_upto_id=newest, handled_by_user_id=user.id, handled_at=utcnow())


def mark_unhandled(session: Session, plan_id: int, user: User) -> None:
    """Back on the list: the latest patient message is not dealt with, and unread for this reader."""
    last_patient = session.exec(select(func.max(Message.id)).where(
        Message.plan_id == plan_id, col(Message.author_role).not_in(CARE_SIDE))).one() or 0
    _set_thread_state(session, plan_id, handled_upto_id=max(last_patient - 1, 0))
    set_read_mark(session, plan_id, user.id, max(last_patient - 1, 0))


def _unread_query() -> Select:
    """Messages by others after the reader's mark in one plan; built once, run with plan_id and user_id."""
    plan_id, user_id = bindparam("plan_id"), bindparam("user_id")
    mark = (select(MessageReadState.last_read_id)
            .where(MessageReadState.plan_id == plan_id, MessageReadState.user_id == user_id)
            .scalar_subquery())
    return select(func.count()).select_from(Message).where(
        Message.plan_id == plan_id, col(Message.id) > func.coalesce(mark, 0), Message.author_user_id != user_id)


UNREAD = _unread_query()  # on every patient page: not built again for each


def unread_count(session: Session, user_id: int, plan_ids: list[int]) -> int:
    """Messages by others after this reader's mark, summed over plans (an index range scan per plan)."""
    return sum(session.exec(UNREAD, params={"plan_id": plan_id, "user_id": user_id}).one() for plan_id in plan_ids)


def with_days(messages: list[Message], to_local: Callable[[datetime], date],
              previous_day: date | None = None) -> list[tuple[Message, date | None]]:
    """Pair each message with its day when a new day starts (else None), for day headings."""
    paired: list[tuple[Message, date | None]] = []
    for message in messages:
        day = to_local(message.created_at)
        paired.append((message, day if day != previous_day else None))
        previous_day = day
    return paired
