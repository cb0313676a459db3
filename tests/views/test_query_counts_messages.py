"""The message pages cost a fixed number of SQL statements however long the thread or the inbox is, and the thread
page writes only after it has read everything (the read mark and the access log last, so SQLite's one write lock is
held for the commit alone)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.models import CarePlan, Patient, User
from tests import factories
from tests.conftest import client_as
from tests.sql import sent

THREAD_BUDGET = 11  # the thread page today; lower it when a page gets cheaper, never raise it for a longer thread
INBOX_BUDGET = 3  # the inbox with its badge: the account, the nurse's units, the page
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _thread(session: Session, size: int) -> tuple[User, CarePlan]:
    """A patient whose thread holds `size` messages from her, her nurse and a relative."""
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    authors = [session.get(User, patient.user_id), session.get(User, nurse.user_id), factories.user(session)]
    for n in range(size):
        factories.message(session, plan, authors[n % 3], f"Meddelande {n}\nse www.1177.se")
    return authors[0], plan


@pytest.mark.parametrize("query", ["", "?before=999999999"])
def test_thread_costs_the_same_statements_for_3_and_45_messages(app: Flask, engine: Engine, session: Session,
                                                                query: str) -> None:
    counts = []
    for size in (3, 45):
        patient_user, _plan = _thread(session, size)
        client = client_as(app, patient_user)
        counts.append(len(sent(engine, lambda c=client: c.get(f"/plan/messages{query}"))))
    assert counts[0] == counts[1]
    assert counts[1] <= THREAD_BUDGET + (1 if query else 0)  # an older page also counts what stays unread


def test_thread_writes_the_read_mark_and_the_log_after_every_read(app: Flask, engine: Engine,
                                                                  session: Session) -> None:
    patient_user, _plan = _thread(session, 5)
    client = client_as(app, patient_user)
    statements = sent(engine, lambda: client.get("/plan/messages"))
    kinds = ["write" if WRITES.match(statement) else "read" for statement in statements]
    assert kinds.count("write") == 2  # the read mark and the access event
    assert "read" not in kinds[kinds.index("write"):]


def _inbox(app: Flask, session: Session, size: int) -> tuple[FlaskClient, int]:
    """A nurse whose unit has `size` threads with a patient message, and the plan at the top of her inbox."""
    where = factories.unit(session)
    nurse = factories.staff(session, where)
    plans = [factories.plan(session, factories.patient(session, name=f"Anna {n:03d}"), where, nurse)
             for n in range(size)]
    for made in plans:
        factories.message(session, made, session.get(User, session.get(Patient, made.patient_id).user_id), "Hej")
    return client_as(app, session.get(User, nurse.user_id)), plans[-1].id or 0


@pytest.mark.parametrize("query", ["", "?show=unhandled", "?show=mine", "?after={top}"])
def test_inbox_costs_the_same_statements_for_3_and_60_threads(app: Flask, engine: Engine, session: Session,
                                                              query: str) -> None:
    counts = []
    for size in (3, 60):
        client, top = _inbox(app, session, size)
        path = f"/staff/inbox{query.format(top=top)}"
        counts.append(len(sent(engine, lambda c=client, p=path: c.get(p))))
    assert counts[0] == counts[1]
    # 'mine' counts the badge over all the units' threads apart; a cursor first finds where its thread stands
    assert counts[1] <= INBOX_BUDGET + (0 if query in ("", "?show=unhandled") else 1)
