"""The patient's start page, timeline and item pages, as full pages and as htmx fragments."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal.models import AccessEvent, ItemStatus, Phase
from tests import factories
from tests.conftest import HTMX_HEADERS, sign_in
from tests.sql import counting


@pytest.fixture
def maria(client: FlaskClient, session: Session):  # noqa: ANN201
    """Maria, signed in, with a plan: one done item, one booked in 3 days, one planned next month."""
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    where = session.get(factories.CareUnit, nurse.unit_id)
    factories.item(session, plan, days=-20, title="Vävnadsprov", phase=Phase.INVESTIGATION,
                   status=ItemStatus.DONE, at=where)
    factories.item(session, plan, days=-5, title="Inställt besök", status=ItemStatus.CANCELLED, at=where)
    factories.item(session, plan, days=3, title="Första strålbehandlingen", at=where,
                   preparation="Ta med din medicinlista.")
    factories.item(session, plan, days=35, title="Träffa fysioterapeut", phase=Phase.REHABILITATION,
                   status=ItemStatus.PLANNED, precision="week")
    sign_in(client, patient.personal_id, factories.PASSWORD)
    return patient, plan


def test_start_page_shows_next_event_contact_and_diagnosis(client: FlaskClient, maria) -> None:  # noqa: ANN001
    page = client.get("/plan/").get_data(as_text=True)
    assert "<h1" in page
    assert page.count("<h1") == 1
    next_card = page.split('id="next-heading"')[1].split("</section>")[0]
    assert "Första strålbehandlingen" in next_card
    assert "Om 3 dagar" in next_card
    assert "Ta med din medicinlista." in next_card
    assert "Strålbehandlingen, plan 2" in next_card
    assert 'href="tel:0101112233"' in page
    assert "Eva Lund" in page
    assert "Mån–fre 8–16" in page
    assert "Du har en liten tumör som har opererats bort." in page
    assert 'href="/plan/timeline"' in page


def test_timeline_groups_items_by_phase_with_today_marker(client: FlaskClient, maria) -> None:  # noqa: ANN001
    page = client.get("/plan/timeline").get_data(as_text=True)
    order = [page.index(t) for t in ("Utredning", "Vävnadsprov", "Behandling", "Inställt besök", "I dag",
                                     "Första strålbehandlingen", "Rehabilitering", "Träffa fysioterapeut",
                                     "Uppföljning")]
    assert order == sorted(order)
    assert "mv-timeline__item--done" in page
    assert "Genomförd" in page
    assert "mv-timeline__item--cancelled" in page
    assert "Inställd" in page
    assert "vecka " in page
    assert page.count('class="mv-timeline__today"') == 1
    assert "Inget är planerat i den här delen än." in page  # the empty follow-up phase
    assert "Du är här" in page.split("Behandling")[1].split("</h2>")[0]


def test_item_page_shows_what_when_where_and_how_to_prepare(client: FlaskClient, session: Session,
                                                            maria) -> None:  # noqa: ANN001
    _patient, plan = maria
    item = next(i for i in session.exec(select(factories.PlanItem)).all() if i.title == "Första strålbehandlingen")
    page = client.get(f"/plan/items/{item.id}").get_data(as_text=True)
    assert "<h1 tabindex=\"-1\">Första strålbehandlingen</h1>" in page
    assert "Så förbereder du dig" in page
    assert "Ta med din medicinlista." in page
    assert "Onkologimottagningen" in page
    assert "Bokad" in page
    assert 'href="/plan/timeline"' in page


@pytest.mark.parametrize("path", ["/plan/", "/plan/timeline"])
def test_pages_answer_htmx_with_a_fragment(client: FlaskClient, maria, path: str) -> None:  # noqa: ANN001
    full = client.get(path)
    fragment = client.get(path, headers=HTMX_HEADERS)
    assert "<html" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body
    assert "<header" not in body
    assert body.lstrip().startswith("<title>")
    assert 'id="site-nav"' in body
    assert 'hx-swap-oob="true"' in body
    assert 'aria-current="page"' in body
    for response in (full, fragment):
        assert "HX-Request" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == "no-store"


def test_history_restore_gets_the_whole_page(client: FlaskClient, maria) -> None:  # noqa: ANN001
    headers = {**HTMX_HEADERS, "HX-History-Restore-Request": "true"}
    assert "<html" in client.get("/plan/timeline", headers=headers).get_data(as_text=True)


def test_item_fragment(client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    item = session.exec(select(factories.PlanItem)).first()
    body = client.get(f"/plan/items/{item.id}", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert item.title in body


def test_patient_without_plan_gets_a_kind_explanation(client: FlaskClient, session: Session) -> None:
    sign_in(client, factories.patient(session).personal_id, factories.PASSWORD)
    for path in ("/plan/", "/plan/timeline"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Du har ingen vårdplan här än." in response.get_data(as_text=True)


def test_navigation_links_every_patient_section(client: FlaskClient, maria) -> None:  # noqa: ANN001
    nav = client.get("/plan/").get_data(as_text=True).split('id="site-nav"')[1].split("</nav>")[0]
    assert "Kommer snart" not in nav
    assert 'href="/plan/reading"' in nav
    assert 'href="/plan/timeline"' in nav


def test_every_patient_page_view_is_in_the_access_log(client: FlaskClient, session: Session,
                                                      maria) -> None:  # noqa: ANN001
    patient, plan = maria
    item = session.exec(select(factories.PlanItem)).first()
    for path in ("/plan/", "/plan/timeline", f"/plan/items/{item.id}"):
        client.get(path)
    events = session.exec(select(AccessEvent).order_by(AccessEvent.id)).all()
    assert [e.resource for e in events] == [f"plan:{plan.id}", f"timeline:{plan.id}", f"item:{item.id}"]
    assert {(e.patient_id, e.action, e.role, e.actor_user_id) for e in events} == {
        (patient.id, "read", "patient", patient.user_id)}


def _queries(engine: Engine, client: FlaskClient, path: str) -> int:
    """The statements this one request sends (counted from its first time, unlike `sent`)."""
    with counting(engine) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/plan/", "/plan/timeline"])
def test_query_count_does_not_grow_with_plan_items(client: FlaskClient, session: Session, engine: Engine,
                                                   path: str) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=2)
    sign_in(client, patient.personal_id, factories.PASSWORD)
    client.get(path)  # the first visit writes down when it began ("Nytt i din plan"); later ones within it do not
    few = _queries(engine, client, path)
    others = [factories.unit(session, name=f"Enhet {n}") for n in range(5)]
    for n in range(40):
        factories.item(session, plan, days=n - 20, title=f"Besök {n}", at=others[n % 5],
                       phase=list(Phase)[n % 4])
    assert _queries(engine, client, path) == few
