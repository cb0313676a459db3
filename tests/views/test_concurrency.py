"""Requests that arrive at the same moment: "find or create" records are made once, and nobody gets a 500.

Several test clients are released together by a barrier (real threads, each with its own database connection), as
two tabs, a poll and a page would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from portal.core.drafts import save_draft
from portal.models import MessageDraft, MessageReadState, MessageThreadState, User
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as, count_rows, csrf_from

TABS = 6




def _all_at_once(clients: list[FlaskClient], request: Callable[[FlaskClient], int]) -> list[int]:
    """Each client's request, started together; their status codes."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def run(client: FlaskClient) -> None:
        barrier.wait()
        statuses.append(request(client))

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_the_first_read_mark_is_made_once_when_tabs_open_together(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session)
    factories.message(session, plan, session.get(User, nurse.user_id), body="Hej Maria")
    session.commit()
    user = session.get(User, patient.user_id)
    clients = [client_as(app, user) for _ in range(TABS)]
    statuses = _all_at_once(clients, lambda client: client.get("/plan/messages").status_code)
    assert statuses == [200] * TABS
    assert count_rows(session, MessageReadState, MessageReadState.user_id == user.id) == 1


def test_the_thread_state_is_made_once_when_nurses_handle_it_together(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session)
    factories.message(session, plan, session.get(User, patient.user_id), body="Hej")
    session.commit()
    clients = [client_as(app, session.get(User, nurse.user_id)) for _ in range(TABS)]
    path = f"/staff/plans/{plan.id}/messages"
    tokens = [csrf_from(client.get(path).get_data(as_text=True)) for client in clients]
    pairs = dict(zip(map(id, clients), tokens, strict=True))
    statuses = _all_at_once(clients, lambda client: client.post(
        f"{path}/handled", data={"csrf_token": pairs[id(client)]}, headers=HTMX_HEADERS).status_code)
    assert all(status < 500 for status in statuses), statuses
    assert count_rows(session, MessageThreadState, MessageThreadState.plan_id == plan.id) == 1


def test_a_kept_draft_comes_back_once_when_two_tabs_open_the_thread(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session)
    save_draft(session, patient.user_id, "Texten jag skrev innan jag loggades ut", "/plan/messages")
    session.commit()
    clients = [client_as(app, session.get(User, patient.user_id)) for _ in range(TABS)]
    pages: list[str] = []

    def open_thread(client: FlaskClient) -> int:
        response = client.get("/plan/messages")
        pages.append(response.get_data(as_text=True))
        return response.status_code

    assert _all_at_once(clients, open_thread) == [200] * TABS
    assert sum("Texten jag skrev innan jag loggades ut" in page for page in pages) == 1
    assert count_rows(session, MessageDraft) == 0
