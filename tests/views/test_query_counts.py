"""How many SQL statements a page costs: a budget per page, and the same number whatever the size of the plan (items,
units in the care team, news, reading). Other pages may be added to PAGES."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.models import Article, CarePlan, CareTeamMembership, ContentTemplate, Phase, PlanReading, TeamRole, User
from portal.plans.services import builder
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as

# The most statements each page may send (the signed-in user, patient and plan, what the page shows, the access log
# and the navigation's unread count); a page may use fewer.
PAGES = {"/plan/": 11, "/plan/timeline": 5, "/plan/reading": 6}


def _statements(engine: Engine, client: FlaskClient, path: str, headers: dict[str, str]) -> list[str]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements


def _content(session: Session, plan: CarePlan) -> ContentTemplate:
    """The plan's pinned content version, so that the start page reads the national illness text."""
    template = ContentTemplate(diagnosis_key=plan.template_key, version=1, status="published", content_hash="q" * 64,
                               data=json.dumps({"name": {"sv": "Bröstcancer"}, "about": {"sv": "Om sjukdomen."},
                                                "self_care": [], "skeleton": []}))
    session.add(template)
    plan.template_version = 1
    session.add(plan)
    session.commit()
    return template


def _grow(session: Session, plan: CarePlan, template: ContentTemplate, nurse_user: User, size: int) -> None:
    """`size` more of everything the pages show: items at other units, units in the team, news and reading."""
    units = [factories.unit(session, name=f"Enhet {n}") for n in range(5)]
    for unit in units:
        session.add(CareTeamMembership(plan_id=plan.id, unit_id=unit.id, role=TeamRole.PARTICIPATING))
    for n in range(size):
        factories.item(session, plan, days=n - size // 2, title=f"Besök {n}", at=units[n % 5],
                       phase=list(Phase)[n % 4])
        builder.record_change(session, plan, nurse_user, builder.Change.ITEM_ADDED, f"Besök {n}")
        article = Article(template_id=template.id, slug=f"behandling-{n}", phase="treatment", content_hash="r" * 64,
                          data=json.dumps({"sv": {"title": f"Text {n}", "summary": "Kort.", "body": "Text.",
                                                  "links": []}}))
        session.add(article)
        session.flush()
        session.add(PlanReading(plan_id=plan.id, article_id=article.id))
    session.commit()


@pytest.mark.parametrize("headers", [{}, HTMX_HEADERS], ids=["page", "fragment"])
@pytest.mark.parametrize("path", list(PAGES))
def test_patient_pages_keep_to_their_statement_budget_whatever_the_plan_size(
        app: Flask, session: Session, engine: Engine, path: str, headers: dict[str, str]) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    template = _content(session, plan)
    client = client_as(app, session.get(User, patient.user_id))
    client.get(path)  # the first visit writes down when it began ("Nytt i din plan"); later ones within it do not
    small = _statements(engine, client, path, headers)
    _grow(session, plan, template, session.get(User, nurse.user_id), 40)
    big = _statements(engine, client, path, headers)
    assert len(big) == len(small), "\n".join(big)
    assert len(big) <= PAGES[path], "\n".join(big)
