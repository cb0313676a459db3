"""The message thread of a care plan: writing once, reading in pages, read state and handling."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache

from sqlalchemy import CTE, ColumnElement, Insert, ScalarSelect, Select, bindparam, case, func, null
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.core import keyset, upsert
from portal.core.clock import utcnow
from portal.core.keyset import Key, Slice
from portal.db import at_commit
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


def _page_query(before: bool) -> Select:
    query = select(Message).where(Message.plan_id == bindparam("plan_id"))
    if before:
        query = query.where(col(Message.id) < bindparam("before_id"))
    return query.order_by(col(Message.id).desc()).limit(bindparam("limit"))


PAGES = {False: _page_query(False), True: _page_query(True)}  # the latest messages, those before one: built once


def page_before(session: Session, plan_id: int, before_id: int | None = None, size: int = PAGE_SIZE) -> Page:
    """The `size` messages before `before_id` (or the latest), by keyset on (plan_id, id)."""
    params = {"plan_id": plan_id, "before_id": before_id, "limit": size + 1}
    rows = list(session.exec(PAGES[before_id is not None], params=params).all())
    return Page(list(reversed(rows[:size])), has_older=len(rows) > size)


def message_before(session: Session, plan_id: int, message_id: int) -> Message | None:
    """The message just before this one in the thread (to know whether a new day starts)."""
    page = page_before(session, plan_id, message_id, size=1)
    return page.messages[0] if page.messages else None


AFTER = (select(Message).where(Message.plan_id == bindparam("plan_id"), col(Message.id) > bindparam("after_id"))
         .order_by(col(Message.id)).limit(bindparam("limit")))  # every poll of every open thread: built once


def messages_after(session: Session, plan_id: int, after_id: int, limit: int = 200) -> list[Message]:
    """New messages since `after_id`, oldest first (what a poll brings)."""
    return list(session.exec(AFTER, params={"plan_id": plan_id, "after_id": after_id, "limit": limit}).all())


_MARK_READ: dict[str, Insert] = {}  # the read mark's upsert per database dialect, built once


def _mark_read_statement(session: Session) -> Insert:
    """On the table, not the model: a plain statement, without the ORM's bulk-insert handling (a tenth of the time)."""
    dialect = session.get_bind().dialect.name
    if dialect not in _MARK_READ:
        table = MessageReadState.__table__  # type: ignore[attr-defined]
        stmt = upsert.insert(session, table).values(
            plan_id=bindparam("plan_id"), user_id=bindparam("user_id"), last_read_id=bindparam("upto_id"))
        forward = case((stmt.excluded.last_read_id > table.c.last_read_id, stmt.excluded.last_read_id),
                       else_=table.c.last_read_id)
        _MARK_READ[dialect] = stmt.on_conflict_do_update(index_elements=["plan_id", "user_id"],
                                                         set_={"last_read_id": forward})
    return _MARK_READ[dialect]


def mark_read(session: Session, plan_id: int, user_id: int, upto_id: int) -> None:
    """Move the reader's mark forward (never back), in one statement however many tabs read at once."""
    params = {"plan_id": plan_id, "user_id": user_id, "upto_id": upto_id}
    session.connection().execute(_mark_read_statement(session), params)  # Core: no ORM bulk-insert handling


def read_page(session: Session, plan_id: int, user_id: int, before_id: int | None = None) -> tuple[Page, int]:
    """A page of the thread, marked read when the request's work is saved (the mark's write comes last), and how many
    messages by others are unread after that: none on the latest page, which holds the newest message."""
    page = page_before(session, plan_id, before_id)
    at_commit(session, lambda s: mark_read(s, plan_id, user_id, page.newest_id))
    if before_id is None:
        return page, 0
    params = {"plan_id": plan_id, "user_id": user_id, "upto": page.newest_id}
    return page, session.connection().execute(UNREAD_AFTER, params).scalar_one()


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
class InboxPatient:
    """Whom a thread is with, as the inbox shows it."""

    name: str
    personal_id: str


@dataclass(frozen=True)
class InboxRow:
    plan_id: int
    patient: InboxPatient
    last_message_at: datetime
    unhandled: bool
    unread: bool
    preview: str = ""
    unread_count: int = 0


def preview(body: str, limit: int = PREVIEW) -> str:
    """The first line with text, shortened to `limit` characters (plain text: the template escapes it)."""
    line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def _threads(show: str = "all", one_plan: bool = False, newest: bool = True) -> CTE:
    """Each plan of these units (one plan with `one_plan`; only those where this user is the contact nurse with
    'mine') with what its place in the inbox depends on, by a few index look-ups per plan (the (plan_id, id) index
    for messages): never the country's messages, plans or read marks. Run with user_id and unit_ids (and plan_id).
    Without `newest`, not the newest message of each plan (the inbox's order; the waiting count does without it)."""
    user_id = bindparam("user_id")
    units = select(CareTeamMembership.plan_id).where(
        col(CareTeamMembership.unit_id).in_(bindparam("unit_ids", expanding=True)),
        col(CareTeamMembership.until).is_(None))
    if show == "mine":
        nurse = select(StaffMember.id).where(StaffMember.user_id == user_id)
        units = units.where(col(CareTeamMembership.plan_id).in_(
            select(CarePlan.id).where(col(CarePlan.contact_nurse_id).in_(nurse))))
    unit_plan = (units.where(CareTeamMembership.plan_id == bindparam("plan_id")) if one_plan else units).distinct()
    plan = unit_plan.subquery("unit_plan").c.plan_id

    def per_plan(query: Select, column: ColumnElement) -> ScalarSelect:
        return query.where(column == plan).scalar_subquery()

    last = [per_plan(select(func.max(Message.id)), Message.plan_id).label("last_id")] if newest else []
    return select(
        plan.label("plan_id"), *last,
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


def _ranked(show: str = "all", one_plan: bool = False) -> tuple[Select, list[Key], CTE]:
    """The threads (those with messages) and their order: a patient message not dealt with first, then the newest."""
    thread = _threads(show, one_plan)
    unhandled, unread = _states(thread)
    query = (select(thread.c.plan_id, thread.c.last_id, thread.c.last_read_id, unhandled.label("unhandled"),
                    unread.label("unread"))
             .where(thread.c.last_id.is_not(None)))
    if show == "unhandled":
        query = query.where(unhandled == 1)
    return query, [Key(unhandled, descending=True), Key(thread.c.last_id, descending=True)], thread


def _waiting(thread: CTE) -> Select:
    """How many of these threads have a patient message this nurse has not read and no one has dealt with."""
    unhandled, unread = _states(thread)
    return select(func.count()).select_from(thread).where(unhandled == 1, unread == 1)


START = (bindparam("start_unhandled"), bindparam("start_last_id"))  # the key of the thread a page starts after


@cache
def _inbox_query(show: str, size: int, from_start: bool) -> Select:
    """One page of threads in one statement, built once per kind of page: the order from the per-plan look-ups
    alone, then only the page's plans, patients and last messages, each row's unread count (a range of the (plan_id,
    id) index after the mark), and the badge's number from the same look-ups (not with 'mine': the badge counts all
    the units' threads)."""
    ranked, keys, thread = _ranked(show)
    top = keyset.top(ranked, keys, None if from_start else START, size + 1)
    counted = aliased(Message, name="counted")
    unread_count = (select(func.count()).where(counted.plan_id == top.c.plan_id,
                                               col(counted.author_role).not_in(CARE_SIDE),
                                               col(counted.id) > func.coalesce(top.c.last_read_id, 0))
                    .correlate(top).scalar_subquery())
    waiting = _waiting(thread).correlate(None).scalar_subquery() if show != "mine" else null()
    return (select(top.c.plan_id, Patient.name, Patient.personal_id, Message.created_at, Message.body,
                   top.c.unhandled, top.c.unread, unread_count, waiting)
            .select_from(top).join(CarePlan, col(CarePlan.id) == top.c.plan_id)
            .join(Patient, col(Patient.id) == CarePlan.patient_id).join(Message, col(Message.id) == top.c.last_id)
            .order_by(top.c.rank))


def inbox(session: Session, user_id: int, unit_ids: list[int], after: int | None = None,
          size: int = INBOX_PAGE, show: str = "all") -> Slice[InboxRow]:
    """One page of the units' threads (all, those not dealt with, or those of my patients), after the thread of plan
    `after` (the first page if it is not in the list)."""
    return inbox_and_waiting(session, user_id, unit_ids, after, size, show)[0]


def inbox_and_waiting(session: Session, user_id: int, unit_ids: list[int], after: int | None = None,
                      size: int = INBOX_PAGE, show: str = "all") -> tuple[Slice[InboxRow], int | None]:
    """The inbox's page (see `inbox`) and, when the same statement could count it, the badge's number
    (`waiting_threads`); None when it could not (with 'mine', or no rows)."""
    if not unit_ids:
        return Slice([]), 0
    show = show if show in SHOWS else "all"
    params: dict[str, object] = {"user_id": user_id, "unit_ids": unit_ids}
    start = _inbox_key(session, params, after, show) if after is not None else None
    if start is not None:
        params |= {"start_unhandled": start[0], "start_last_id": start[1]}
    found = session.connection().execute(_inbox_query(show, size, start is None), params).all()
    rows = [InboxRow(plan_id, InboxPatient(name, personal_id), last_at, bool(unhandled), bool(unread), preview(body),
                     count) for plan_id, name, personal_id, last_at, body, unhandled, unread, count, _badge in found]
    waiting = found[0][-1] if found and show != "mine" else None
    return keyset.cut(rows, size, lambda row: row.plan_id, start), waiting


@cache
def _key_query(show: str) -> Select:
    ranked, keys, _thread = _ranked(show, one_plan=True)
    return ranked.with_only_columns(*(key.column for key in keys))


def _inbox_key(session: Session, params: dict[str, object], plan_id: int,
               show: str = "all") -> tuple[object, ...] | None:
    """Where the thread of this plan stands in the inbox now; None if it is not one of the units' threads."""
    found = session.execute(_key_query(show), {**params, "plan_id": plan_id}).first()
    return tuple(found) if found is not None else None


WAITING = _waiting(_threads(newest=False))  # on every page of the care team: built once


def waiting_threads(session: Session, user_id: int, unit_ids: list[int]) -> int:
    """The staff navigation's badge: the units' threads with a patient message this nurse has not read and no one
    has dealt with yet (the per-plan look-ups of the inbox, counted)."""
    if not unit_ids:
        return 0
    return session.connection().execute(WAITING, {"user_id": user_id, "unit_ids": unit_ids}).scalar_one()


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


def _unread_query(after_upto: bool = False) -> Select:
    """Messages by others after the reader's mark in one plan (and, `after_upto`, after message `upto` too: the mark
    once it has moved there); built once, run with plan_id and user_id (and upto)."""
    plan_id, user_id = bindparam("plan_id"), bindparam("user_id")
    mark = (select(MessageReadState.last_read_id)
            .where(MessageReadState.plan_id == plan_id, MessageReadState.user_id == user_id)
            .scalar_subquery())
    query = select(func.count()).select_from(Message).where(
        Message.plan_id == plan_id, col(Message.id) > func.coalesce(mark, 0), Message.author_user_id != user_id)
    return query.where(col(Message.id) > bindparam("upto")) if after_upto else query


UNREAD = _unread_query()  # on every patient page: not built again for each
UNREAD_AFTER = _unread_query(after_upto=True)


def unread_count(session: Session, user_id: int, plan_ids: list[int]) -> int:
    """Messages by others after this reader's mark, summed over plans (an index range scan per plan)."""
    connection = session.connection()  # a plain statement: no ORM objects to load
    return sum(connection.execute(UNREAD, {"plan_id": plan_id, "user_id": user_id}).scalar_one()
               for plan_id in plan_ids)


def with_days(messages: list[Message], to_local: Callable[[datetime], date],
              previous_day: date | None = None) -> list[tuple[Message, date | None]]:
    """Pair each message with its day when a new day starts (else None), for day headings."""
    paired: list[tuple[Message, date | None]] = []
    for message in messages:
        day = to_local(message.created_at)
        paired.append((message, day if day != previous_day else None))
        previous_day = day
    return paired
