"""The care team's lists at scale: the caseload sorted and filtered by a GET form (no JavaScript needed), the inbox
with the last message's first line, unread counts and filters, and the badge in the staff navigation. Odd values in
the address give the first page; each page costs the same statements however many rows there are."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.messages.services import mark_handled, mark_read, preview
from portal.models import CarePlan, CareTeamMembership, Patient, StaffMember, TeamRole, User
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as
from tests.sql import sent

NAME = r'<a class="mv-caseload__name" href="/staff/plans/\d+"[^>]*>([^<]+)</a>'
THREAD = r'<a href="/staff/plans/\d+/messages"[^>]*>([^<]+)</a>'


def _client(app: Flask, session: Session, nurse: StaffMember) -> FlaskClient:
    return client_as(app, session.get(User, nurse.user_id))


def _patient_user(session: Session, plan: CarePlan) -> User:
    return session.get(User, session.get(Patient, plan.patient_id).user_id)


def _names(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(f"/staff/{query}")
    assert response.status_code == 200
    return re.findall(NAME, response.get_data(as_text=True))


@pytest.fixture
def ward(app: Flask, session: Session) -> dict[str, object]:
    """Four patients of one nurse with different alerts, messages, next events, phases and diagnoses, one where
    her unit only takes part, and one of a colleague at her unit."""
    where = factories.unit(session)
    nurse = factories.staff(session, where)
    other_unit = factories.unit(session, name="Kirurgmottagningen")
    colleague = factories.staff(session, where, name="Per Ek")
    made = {}
    for name, phase, diagnosis in [("Berit Ask", "treatment", "brostcancer"), ("Anders Al", "investigation",
                                   "prostatacancer"), ("Cecilia Björk", "follow_up", "brostcancer"),
                                   ("David Ek", "treatment", "lungcancer")]:
        made[name] = factories.plan(session, factories.patient(session, name=name), where, nurse, phase=phase,
                                    diagnosis=diagnosis)
    made["Eva Gran"] = factories.plan(session, factories.patient(session, name="Eva Gran"), where, colleague)
    elsewhere = factories.plan(session, factories.patient(session, name="Fia Holm"), other_unit)
    session.add(CareTeamMembership(plan_id=elsewhere.id, unit_id=where.id, role=TeamRole.PARTICIPATING))
    made["Fia Holm"] = elsewhere
    factories.open_alert(session, made["Cecilia Björk"])
    factories.open_alert(session, made["Cecilia Björk"])
    factories.open_alert(session, made["David Ek"])
    for text in ("Hej", "En fråga till"):
        factories.message(session, made["Anders Al"], _patient_user(session, made["Anders Al"]), text)
    factories.message(session, made["David Ek"], _patient_user(session, made["David Ek"]), "Hej")
    factories.item(session, made["Berit Ask"], days=2)
    factories.item(session, made["Anders Al"], days=9)
    factories.item(session, made["Cecilia Björk"], days=-3)  # past: not the next event
    session.commit()
    return {"client": _client(app, session, nurse), "nurse": nurse, "plans": made}


# --- the caseload ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "names"), [
    ("", ["Cecilia Björk", "David Ek", "Anders Al", "Berit Ask"]),  # open alerts first, then by name
    ("?sort=name", ["Anders Al", "Berit Ask", "Cecilia Björk", "David Ek"]),
    ("?sort=next", ["Berit Ask", "Anders Al", "Cecilia Björk", "David Ek"]),  # none planned last, by name
    ("?sort=unread", ["Anders Al", "David Ek", "Berit Ask", "Cecilia Björk"]),
    ("?sort=alerts", ["Cecilia Björk", "David Ek", "Anders Al", "Berit Ask"]),
])
def test_caseload_sorts_as_asked(ward: dict, query: str, names: list[str]) -> None:
    assert _names(ward["client"], query) == names


@pytest.mark.parametrize(("query", "names"), [
    ("?alerts=1", ["Cecilia Björk", "David Ek"]),
    ("?unread=1", ["David Ek", "Anders Al"]),
    ("?alerts=1&unread=1", ["David Ek"]),
    ("?phase=treatment&sort=name", ["Berit Ask", "David Ek"]),
    ("?diagnosis=brostcancer", ["Cecilia Björk", "Berit Ask"]),
    ("?team=responsible&sort=name", ["Anders Al", "Berit Ask", "Cecilia Björk", "David Ek", "Eva Gran"]),
    ("?team=participating", ["Fia Holm"]),
    ("?team=all&sort=name", ["Anders Al", "Berit Ask", "Cecilia Björk", "David Ek", "Eva Gran", "Fia Holm"]),
    ("?team=all&diagnosis=lungcancer", ["David Ek"]),
])
def test_caseload_filters_as_asked(ward: dict, query: str, names: list[str]) -> None:
    assert _names(ward["client"], query) == names


def test_caseload_shows_the_figures_and_keeps_the_choices_in_the_form(ward: dict) -> None:
    page = ward["client"].get("/staff/?sort=next&phase=treatment&unread=1").get_data(as_text=True)
    assert '<option value="next" selected>' in page
    assert '<option value="treatment" selected>' in page
    assert 'name="unread" value="1" checked' in page
    assert '<form class="mv-picker" method="get" action="/staff/"' in page
    assert '<button class="mv-button" type="submit">Visa</button>' in page  # works without JavaScript
    assert "1 patient" in page
    assert "> oläst meddelande från David Ek<" in page
    assert 'aria-sort="ascending"' in page  # the column it is sorted by
    everything = ward["client"].get("/staff/?team=all").get_data(as_text=True)
    assert "> öppna larm för Cecilia Björk<" in everything
    assert "Deltar" in everything
    assert "Ansvarig" in everything


def test_caseload_says_when_no_patient_matches(ward: dict) -> None:
    page = ward["client"].get("/staff/?phase=rehabilitation").get_data(as_text=True)
    assert "Inga patienter passar dina val." in page
    assert 'id="caseload-list"' not in page


ODD = ["sort=drop+table", "sort=", "team=everyone", "phase=1", "diagnosis=%00", "alerts=yes", "unread=-1",
       "after=-1", "after=abc", "after=99999999999999999999", "after=2147483648", "sort=name&sort=next",
       "nonsense=1", "team[]=all", "alerts=1e3"]


@pytest.mark.parametrize("query", ODD)
def test_caseload_odd_values_give_the_first_page(ward: dict, query: str) -> None:
    names = _names(ward["client"], f"?{query}")
    assert names[0] in ("Cecilia Björk", "Anders Al")  # the default order or the sort asked for first
    assert len(names) == 4


def test_caseload_pages_keep_the_choices(app: Flask, session: Session) -> None:
    where = factories.unit(session)
    nurse = factories.staff(session, where)
    for n in range(55):
        factories.plan(session, factories.patient(session, name=f"Anna Svensson {n:03d}"), where, nurse,
                       phase="treatment" if n % 2 else "investigation")
    client = _client(app, session, nurse)
    first = client.get("/staff/?sort=name&team=all").get_data(as_text=True)
    assert re.findall(NAME, first) == [f"Anna Svensson {n:03d}" for n in range(50)]
    link = re.search(r'href="(/staff/\?after=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "sort=name" in link
    assert "team=all" in link
    rest = client.get(link, headers={"HX-Request": "true", "HX-Target": "caseload-more"}).get_data(as_text=True)
    assert re.findall(NAME, rest) == [f"Anna Svensson {n:03d}" for n in range(50, 55)]
    assert 'hx-swap-oob="beforeend:#caseload-list"' in rest


@pytest.mark.parametrize("query", ["", "?sort=next&team=all", "?sort=unread&unread=1", "?alerts=1&sort=name"])
def test_caseload_costs_the_same_statements_for_3_and_60_patients(app: Flask, engine: Engine, session: Session,
                                                                  query: str) -> None:
    counts = []
    for size in (3, 60):
        where = factories.unit(session)
        nurse = factories.staff(session, where)
        for n in range(size):
            made = factories.plan(session, factories.patient(session, name=f"Anna {n:03d}"), where, nurse)
            factories.item(session, made, days=n % 7 + 1)
            factories.message(session, made, _patient_user(session, made), "Hej")
            factories.open_alert(session, made)
        client = _client(app, session, nurse)
        counts.append(len(sent(engine, lambda c=client: c.get(f"/staff/{query}"))))
    assert counts[0] == counts[1]


# --- the inbox -------------------------------------------------------------------------------------------------------

def test_preview_is_the_first_line_shortened() -> None:
    assert preview("\n\n  Hej!  \nAndra raden") == "Hej!"
    assert preview("a" * 200) == "a" * 89 + "…"
    assert preview("") == ""


@pytest.fixture
def inbox(app: Flask, session: Session) -> dict[str, object]:
    """A unit's threads: one of the nurse's patients with two unread messages, one of a colleague's patients that
    the colleague has answered and dealt with, and one of hers she has read but not dealt with."""
    where = factories.unit(session)
    nurse = factories.staff(session, where)
    colleague = factories.staff(session, where, name="Per Ek")
    mine = factories.plan(session, factories.patient(session, name="Anders Al"), where, nurse)
    theirs = factories.plan(session, factories.patient(session, name="Berit Ask"), where, colleague)
    read = factories.plan(session, factories.patient(session, name="Cecilia Björk"), where, nurse)
    factories.message(session, mine, _patient_user(session, mine), "Första raden <b>fet</b>\nandra raden")
    factories.message(session, mine, _patient_user(session, mine), "Hej igen\n\nMer text")
    factories.message(session, theirs, _patient_user(session, theirs), "Fråga")
    factories.message(session, theirs, session.get(User, colleague.user_id), "Svar från Per")
    mark_handled(session, theirs.id, session.get(User, colleague.user_id))
    last = factories.message(session, read, _patient_user(session, read), "Läst av mig")
    mark_read(session, read.id, nurse.user_id, last.id)
    session.commit()
    return {"client": _client(app, session, nurse), "nurse": nurse}


def _rows(html: str) -> dict[str, str]:
    return {re.search(THREAD, row).group(1): row for row in html.split('<tr class="mv-rtable__row')[1:]}


def test_inbox_shows_the_last_line_when_and_unread(inbox: dict) -> None:
    page = inbox["client"].get("/staff/inbox").get_data(as_text=True)
    rows = _rows(page)
    assert list(rows) == ["Cecilia Björk", "Anders Al", "Berit Ask"]  # not dealt with first, newest first
    assert "Hej igen" in rows["Anders Al"]
    assert "Mer text" not in rows["Anders Al"]
    assert '2<span class="mv-visually-hidden"> olästa meddelanden</span>' in rows["Anders Al"]
    assert "Svar från Per" in rows["Berit Ask"]
    assert "olästa" not in rows["Berit Ask"]  # a colleague's answer is not unread from the patient
    assert "olästa" not in rows["Cecilia Björk"]
    assert "Inte hanterad" in rows["Cecilia Björk"]
    first = inbox["client"].get("/staff/inbox?show=all").get_data(as_text=True)
    assert "&lt;b&gt;fet&lt;/b&gt;" not in first  # only the last message's first line, and as plain text


@pytest.mark.parametrize(("show", "names"), [
    ("unhandled", ["Cecilia Björk", "Anders Al"]),
    ("mine", ["Cecilia Björk", "Anders Al"]),
    ("all", ["Cecilia Björk", "Anders Al", "Berit Ask"]),
    ("everything", ["Cecilia Björk", "Anders Al", "Berit Ask"]),  # unknown: all
])
def test_inbox_filters(inbox: dict, show: str, names: list[str]) -> None:
    page = inbox["client"].get(f"/staff/inbox?show={show}").get_data(as_text=True)
    assert list(_rows(page)) == names
    current = "all" if show == "everything" else show
    assert f'href="/staff/inbox?show={current}" aria-current="true"' in page


def test_inbox_mine_leaves_out_the_colleagues_patients_when_they_wait(app: Flask, session: Session,
                                                                    inbox: dict) -> None:
    assert "Berit Ask" not in inbox["client"].get("/staff/inbox?show=mine").get_data(as_text=True)


def test_inbox_pages_keep_the_filter(app: Flask, session: Session) -> None:
    where = factories.unit(session)
    nurse = factories.staff(session, where)
    for n in range(53):
        made = factories.plan(session, factories.patient(session, name=f"Anna {n:03d}"), where, nurse)
        factories.message(session, made, _patient_user(session, made), f"Fråga {n}")
    client = _client(app, session, nurse)
    first = client.get("/staff/inbox?show=unhandled").get_data(as_text=True)
    link = re.search(r'href="(/staff/inbox\?after=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "show=unhandled" in link
    assert len(_rows(client.get(link).get_data(as_text=True))) == 3


@pytest.mark.parametrize("query", ["", "?show=unhandled", "?show=mine"])
def test_inbox_costs_the_same_statements_for_3_and_60_threads(app: Flask, engine: Engine, session: Session,
                                                              query: str) -> None:
    counts = []
    for size in (3, 60):
        where = factories.unit(session)
        nurse = factories.staff(session, where)
        for n in range(size):
            made = factories.plan(session, factories.patient(session, name=f"Anna {n:03d}"), where, nurse)
            factories.message(session, made, _patient_user(session, made), "Hej\nmer")
        client = _client(app, session, nurse)
        counts.append(len(sent(engine, lambda c=client: c.get(f"/staff/inbox{query}"))))
    assert counts[0] == counts[1]


# --- the badge -------------------------------------------------------------------------------------------------------

BADGE = re.compile(r'<span id="unread-badge" class="mv-badge( mv-badge--none)?"([^>]*)>(.*?)</span>\s*</a>', re.S)


def test_badge_counts_threads_waiting_for_the_nurse_on_every_page(inbox: dict) -> None:
    """Anders's two messages wait; Cecilia's she has read, Berit's a colleague has dealt with."""
    for path in ("/staff/", "/staff/find", "/staff/inbox"):
        page = inbox["client"].get(path).get_data(as_text=True)
        found = BADGE.search(page)
        assert found is not None, path
        assert found.group(1) is None  # shown
        assert found.group(3).startswith('1<span class="mv-visually-hidden"> tråd väntar på dig</span>')
        assert 'hx-get="/staff/inbox/waiting?count=1"' in found.group(2)
        assert 'hx-trigger="every 60s, mv:visible from:document"' in found.group(2)


def test_badge_goes_down_when_the_nurse_reads_the_thread(app: Flask, session: Session, inbox: dict) -> None:
    client = inbox["client"]
    row = _rows(client.get("/staff/inbox").get_data(as_text=True))["Anders Al"]
    page = client.get(re.search(r'href="(/staff/plans/\d+/messages)"', row).group(1)).get_data(as_text=True)
    assert 'hx-get="/staff/inbox/waiting?count=0"' in page


def test_badge_endpoint_answers_htmx_with_the_badge_and_a_word_when_it_went_up(inbox: dict) -> None:
    client = inbox["client"]
    same = client.get("/staff/inbox/waiting?count=1", headers={"HX-Request": "true", "HX-Target": "unread-badge"})
    assert same.status_code == 200
    body = same.get_data(as_text=True)
    assert body.lstrip().startswith('<span id="unread-badge"')
    assert "live-region" not in body
    up = client.get("/staff/inbox/waiting?count=0", headers={"HX-Request": "true", "HX-Target": "unread-badge"})
    assert "1 tråd i inkorgen väntar på dig." in up.get_data(as_text=True)
    odd = client.get("/staff/inbox/waiting?count=-5", headers={"HX-Request": "true"})
    assert odd.status_code == 200
    assert client.get("/staff/inbox/waiting").headers["Location"].endswith("/staff/inbox")  # without htmx


def test_badge_poll_is_not_activity(inbox: dict) -> None:
    client = inbox["client"]
    client.get("/staff/")  # an own request first: the sign-in settles in the session
    with client.session_transaction() as state:
        state["_seen"] = state["_started"] = seen = int(time.time()) - 600
    response = client.get("/staff/inbox/waiting?count=0", headers=HTMX_HEADERS | {"HX-Target": "unread-badge"})
    assert response.status_code == 200
    assert not any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    with client.session_transaction() as state:
        assert state["_seen"] == seen


def test_badge_is_hidden_with_nothing_waiting(app: Flask, session: Session) -> None:
    where = factories.unit(session)
    nurse = factories.staff(session, where)
    found = BADGE.search(_client(app, session, nurse).get("/staff/").get_data(as_text=True))
    assert found is not None
    assert found.group(1) == " mv-badge--none"


def test_patients_keep_their_own_badge(client: FlaskClient, app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    factories.message(session, plan, session.get(User, nurse.user_id), "Hej från vården")
    page = client_as(app, session.get(User, patient.user_id)).get("/plan/").get_data(as_text=True)
    assert 'hx-get="/plan/messages/unread?count=1"' in page
    assert "/staff/inbox/waiting" not in page


def test_staff_pages_use_the_wide_layout(inbox: dict, app: Flask, session: Session) -> None:
    assert '<body class="mv-wide"' in inbox["client"].get("/staff/").get_data(as_text=True)
    patient, _plan, _nurse = factories.patient_with_plan(session, items=0)
    assert 'class="mv-wide"' not in client_as(app, session.get(User, patient.user_id)).get("/plan/").get_data(
        as_text=True)
