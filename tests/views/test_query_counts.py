"""How many SQL statements a page costs: a budget per page, and the same number whatever the size of the plan (items,
units in the care team, news, reading). Other pages may be added to PAGES."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.models import CarePlan, ContentTemplate, User
from portal.plans.services import builder
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as
from tests.sql import counting

# The most statements each page may send (the signed-in user, patient and plan, what the page shows, the access log
# and the navigation's unread count); a page may use fewer.
PAGES = {"/plan/": 11, "/plan/timeline": 5, "/plan/reading": 6}


def _statements(engine: Engine, client: FlaskClient, path: str, headers: dict[str, str]) -> list[str]:
    with counting(engine) as statements:
        assert client.get(path, headers=headers).status_code == 200
    return [" ".join(statement.split()) for statement in statements]


def _grow(session: Session, plan: CarePlan, template: ContentTemplate, nurse_user: User, size: int) -> None:
    """`size` more of everything the pages show: items at other units, units in the team, news and reading."""
    factories.grow_plan(session, plan, template, size)
    for n in range(size):
        builder.record_change(session, plan, nurse_user, builder.Change.ITEM_ADDED, f"Besök {n}")
    session.commit()


@pytest.mark.parametrize("headers", [{}, HTMX_HEADERS], ids=["page", "fragment"])
@pytest.mark.parametrize("path", list(PAGES))
def test_patient_pages_keep_to_their_statement_budget_whatever_the_plan_size(
        app: Flask, session: Session, engine: Engine, path: str, headers: dict[str, str]) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    template = factories.pinned_content(session, plan)  # the start page reads the national illness text
    client = client_as(app, session.get(User, patient.user_id))
    client.get(path)  # the first visit writes down when it began ("Nytt i din plan"); later ones within it do not
    small = _statements(engine, client, path, headers)
    _grow(session, plan, template, session.get(User, nurse.user_id), 40)
    big = _statements(engine, client, path, headers)
    assert len(big) == len(small), "\n".join(big)
    assert len(big) <= PAGES[path], "\n".join(big)
