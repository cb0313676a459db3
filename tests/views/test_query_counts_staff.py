"""The nurse's caseload and the staff plan page cost a fixed number of SQL statements: a budget per page, and the
same number whatever the size of the caseload (patients, their alerts, messages, events and handovers to accept) or of
the plan (items, units in the care team, reading, alerts, a handover waiting)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.models import (
    CarePlan,
    CareTeamMembership,
    CareUnit,
    ContentTemplate,
    Handover,
    Patient,
    Phase,
    ProviderConsent,
    StaffMember,
    TeamRole,
    User,
)
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as
from tests.sql import sent

# The most statements each page may send; lower them when a page gets cheaper, never raise them for a bigger list.
CASELOAD_BUDGET = 5  # the account, the page, the navigation's units and unread count, the handovers to accept
MORE_BUDGET = 3  # 'Show more' under htmx: the account, where the last plan shown stands now, the next rows
PLAN_BUDGET = 19  # the account, the access check (7), the plan's parts (8), the navigation (2), the access log
MORE = {"HX-Request": "true", "HX-Target": "caseload-more"}


def _statements(engine: Engine, client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> list[str]:
    statements = sent(engine, lambda: client.get(path, headers=headers or {}))
    return [" ".join(statement.split())[:160] for statement in statements]


def _patient_user(session: Session, plan: CarePlan) -> User:
    return session.get(User, session.get(Patient, plan.patient_id).user_id)


def _handover(session: Session, plan: CarePlan, sender: CareUnit, receiver: CareUnit) -> None:
    session.add(Handover(plan_id=plan.id, from_unit_id=sender.id, to_unit_id=receiver.id, note="Flyttar."))
    session.commit()


def _caseload(session: Session, size: int) -> StaffMember:
    """A nurse with `size` patients, each with an event, a message from the patient and an open alert; and plans
    other units hand to her unit, some from another care provider, one of them agreed to by the patient."""
    where = factories.unit(session, name=f"Enhet {size}")
    elsewhere = factories.unit(session, name=f"Annan {size}", provider=f"Annan vårdgivare {size}")
    nurse = factories.staff(session, where)
    for n in range(size):
        made = factories.plan(session, factories.patient(session, name=f"Anna {n:03d}"), where, nurse,
                              phase=list(Phase)[n % 4])
        factories.item(session, made, days=n % 7 + 1)
        factories.message(session, made, _patient_user(session, made), "Hej")
        factories.open_alert(session, made)
    for n in range(1 + size // 10):
        sender = factories.unit(session, name=f"Avsändare {size} {n}") if n % 2 else elsewhere
        made = factories.plan(session, factories.patient(session, name=f"Berit {n:03d}"), sender)
        _handover(session, made, sender, where)
        if n == 2:
            session.add(ProviderConsent(patient_id=made.patient_id, provider_id=where.provider_id, method="portal"))
            session.commit()
    return nurse


@pytest.mark.parametrize("query", ["", "?sort=next&team=all", "?sort=unread&unread=1", "?alerts=1&sort=name",
                                   "?phase=treatment&diagnosis=brostcancer"])
def test_caseload_keeps_to_its_budget_for_3_and_60_patients(app: Flask, engine: Engine, session: Session,
                                                            query: str) -> None:
    pages, fragments = [], []
    for size in (3, 60):
        client = client_as(app, session.get(User, _caseload(session, size).user_id))
        pages.append(_statements(engine, client, f"/staff/{query}"))
        fragments.append(_statements(engine, client, f"/staff/{query}", HTMX_HEADERS))
    assert len(pages[0]) == len(pages[1]) <= CASELOAD_BUDGET, "\n".join(pages[1])
    assert len(fragments[0]) == len(fragments[1]) <= CASELOAD_BUDGET, "\n".join(fragments[1])


def test_show_more_keeps_to_its_budget_however_far_down_the_list(app: Flask, engine: Engine,
                                                                 session: Session) -> None:
    client = client_as(app, session.get(User, _caseload(session, 120).user_id))
    first = client.get("/staff/").get_data(as_text=True)
    link = re.search(r'hx-get="(/staff/\?after=\d+)"', first).group(1)  # type: ignore[union-attr]
    second = client.get(link, headers=MORE).get_data(as_text=True)
    further = re.search(r'hx-get="(/staff/\?after=\d+)"', second).group(1)  # type: ignore[union-attr]
    counts = [len(_statements(engine, client, path, MORE)) for path in (link, further)]
    assert counts[0] == counts[1] <= MORE_BUDGET


def _grow(session: Session, plan: CarePlan, template: ContentTemplate, size: int) -> None:
    """`size` more items at more units, units in the care team, articles to read (every second answered) and open
    alerts (one per 10 items)."""
    for n, reading in enumerate(factories.grow_plan(session, plan, template, size)):
        reading.response = "understood" if n % 2 else None
        session.add(reading)
    session.commit()
    for _ in range(0, size, 10):
        factories.open_alert(session, plan)


@pytest.mark.parametrize("viewer", ["responsible", "participating"])
def test_staff_plan_page_keeps_to_its_budget_whatever_the_plan_size(app: Flask, engine: Engine, session: Session,
                                                                    viewer: str) -> None:
    _patient, plan, nurse = factories.patient_with_plan(session, items=1)
    template = factories.pinned_content(session, plan, versions=2)  # and a newer version 2 to move to
    factories.open_alert(session, plan)
    other = factories.unit(session, name="Kirurgen")
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=other.id, role=TeamRole.PARTICIPATING))
    session.commit()
    _handover(session, plan, session.get(CareUnit, nurse.unit_id), factories.unit(session, name="Mottagaren"))
    member = nurse if viewer == "responsible" else factories.staff(session, other, name="Per Holm")
    client = client_as(app, session.get(User, member.user_id))
    small = _statements(engine, client, f"/staff/plans/{plan.id}")
    _grow(session, plan, template, 40)
    big = _statements(engine, client, f"/staff/plans/{plan.id}")
    assert len(big) == len(small) <= PLAN_BUDGET, "\n".join(big)
    page = client.get(f"/staff/plans/{plan.id}").get_data(as_text=True)
    assert bool(re.search(r"/items/\d+/edit", page)) == (viewer == "responsible")  # the tools only for the holder


def test_the_newer_content_link_names_the_version(app: Flask, session: Session) -> None:
    _patient, plan, nurse = factories.patient_with_plan(session, items=1)
    factories.pinned_content(session, plan, versions=2)
    page = client_as(app, session.get(User, nurse.user_id)).get(f"/staff/plans/{plan.id}").get_data(as_text=True)
    assert f'href="/staff/plans/{plan.id}/version"' in page
    assert "version 2<" in page
