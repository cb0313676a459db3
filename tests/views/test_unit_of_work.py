"""One unit of work per request: what a request writes is saved with its access-log event, once, after the view has
answered; a view that fails saves nothing, and the error page survives a failed transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlmodel import Session

from portal import create_app
from portal.core.access_log import Action, Actor, record_access
from portal.db import get_engine, get_session
from portal.models import AccessEvent, Region, User
from tests import factories
from tests.conftest import client_as, count_rows

AppWith = Callable[[Callable[[], str]], Flask]


@pytest.fixture
def app_with(app: Flask) -> Iterator[AppWith]:
    """Fresh apps on the test database, each with one extra page, answering errors as in production."""
    made: list[Flask] = []

    def make(view: Callable[[], str]) -> Flask:
        fresh = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "PROPAGATE_EXCEPTIONS": False})
        fresh.add_url_rule("/test/view", "test_view", view, methods=["GET"])
        made.append(fresh)
        return fresh

    yield make
    for fresh in made:
        get_engine(fresh).dispose()




def _write_region_and_log(name: str) -> None:
    session = get_session()
    session.add(Region(name=name))
    record_access(session, Actor(user_id=None, role="anonymous"), Action.CREATE, f"region:{name}", None)


def test_a_write_and_its_access_event_are_saved_together(app_with: AppWith, session: Session) -> None:
    def view() -> str:
        _write_region_and_log("Region Ett")
        return "The view answered: saved."

    response = app_with(view).test_client().get("/test/view")
    assert response.status_code == 200
    assert count_rows(session, Region, Region.name == "Region Ett") == 1
    assert count_rows(session, AccessEvent, AccessEvent.resource == "region:Region Ett") == 1


def test_a_view_that_raises_after_writing_saves_nothing(app_with: AppWith, session: Session) -> None:
    def view() -> str:
        _write_region_and_log("Region Två")
        get_session().flush()  # the rows are in the database's transaction already
        raise RuntimeError("something broke after the write")

    response = app_with(view).test_client().get("/test/view")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.get_data(as_text=True)  # our page, in Swedish by default
    assert count_rows(session, Region, Region.name == "Region Två") == 0
    assert count_rows(session, AccessEvent, AccessEvent.resource == "region:Region Två") == 0


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_failing_commit_shows_our_error_page_to_a_signed_in_person(app_with: AppWith, session: Session,
                                                                     language: str) -> None:
    """The commit fails after the view answered: the person gets the calm page in our layout (which reads the
    signed-in account from the same session), not the server's bare 'Internal Server Error' and not 'saved'."""
    taken = factories.user(session, email="taken@example.se")
    nurse = factories.user(session, email="nurse@example.se")
    nurse.locale = language
    session.add(nurse)
    session.commit()

    def view() -> str:
        get_session().add(User(email=taken.email, name="Twin", role="relative", password_hash="x"))
        return "The view answered: saved."

    response = client_as(app_with(view), nurse).get("/test/view")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "The view answered" not in page
    expected = "Något gick fel hos oss" if language == "sv" else "Something went wrong on our side"
    assert expected in page
    assert 'class="mv-header' in page  # our layout, drawn after the rollback
    assert count_rows(session, User, User.name == "Twin") == 0


def test_a_refusal_keeps_its_access_log_event(app: Flask, session: Session) -> None:
    """A 404 or 403 is an answer, not a failure: the refused attempt is logged and kept."""
    patient = factories.patient(session)
    client = client_as(app, session.get(User, patient.user_id))
    assert client.get("/plan/items/999999").status_code == 404
    assert count_rows(session, AccessEvent, AccessEvent.resource == "item:999999", AccessEvent.action == "denied") == 1
