"""The staff lists and the access logs come a page at a time (keyset paging): 'Show more' / 'Show older' is a real link
(or, for find, a form) to the next page, which htmx turns into rows added to the list; odd cursors give the first
page; and each page costs the same number of SQL statements however long the list is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal.messages.services import mark_handled
from portal.models import (
    AccessEvent,
    CarePlan,
    CareUnit,
    Patient,
    StaffMember,
    User,
)
from portal.plans.services import builder
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as, csrf_from
from tests.paging import ODD_CURSORS
from tests.sql import counting, sent

MORE = {"HX-Request": "true", "HX-Target": "inbox-more"}  # what the 'Show more' link sends under htmx


def _ids(html: str, pattern: str) -> list[int]:
    return [int(found) for found in re.findall(pattern, html)]


def _nurse_client(app: Flask, session: Session, nurse: StaffMember) -> FlaskClient:
    return client_as(app, session.get(User, nurse.user_id))


def _unit_with_nurse(session: Session) -> tuple[CareUnit, StaffMember]:
    where = factories.unit(session)
    return where, factories.staff(session, where)


def _patients(session: Session, where: CareUnit, nurse: StaffMember, count: int,
              name: str = "Anna Svensson") -> list[CarePlan]:
    return [factories.plan(session, factories.patient(session, name=f"{name} {n:03d}"), where, nurse)
            for n in range(count)]


# --- the inbox -------------------------------------------------------------------------------------------------------

def _threads(session: Session, count: int) -> tuple[StaffMember, list[CarePlan]]:
    """A unit with `count` threads; every third has a patient message not dealt with, the rest a nurse's reply."""
    where, nurse = _unit_with_nurse(session)
    nurse_user = session.get(User, nurse.user_id)
    plans = _patients(session, where, nurse, count)
    for n, plan in enumerate(plans):
        patient_user = session.get(User, session.get(Patient, plan.patient_id).user_id)
        factories.message(session, plan, patient_user, f"Fråga {n}")
        if n % 3:
            factories.message(session, plan, nurse_user, f"Svar {n}")
            mark_handled(session, plan.id, nurse_user)
    session.commit()
    return nurse, plans


def _inbox_order(plans: list[CarePlan]) -> list[int]:
    """Unhandled first (every third, newest first), then the others newest first."""
    unhandled = [plan.id for n, plan in enumerate(plans) if n % 3 == 0]
    return list(reversed(unhandled)) + [plan.id for plan in reversed(plans) if plan.id not in unhandled]


THREAD_LINK = r'href="/staff/plans/(\d+)/messages"'


def test_inbox_shows_50_threads_and_a_link_to_the_next(app: Flask, session: Session) -> None:
    nurse, plans = _threads(session, 60)
    client = _nurse_client(app, session, nurse)
    first = client.get("/staff/inbox").get_data(as_text=True)
    shown = _ids(first, THREAD_LINK)
    assert shown == _inbox_order(plans)[:50]
    link = f'href="/staff/inbox?after={shown[-1]}"'
    assert link in first
    assert f'hx-get="/staff/inbox?after={shown[-1]}" hx-target="#inbox-more" hx-swap="outerHTML"' in first
    second = client.get(f"/staff/inbox?after={shown[-1]}").get_data(as_text=True)  # without JavaScript: a page
    assert "<html" in second
    assert _ids(second, THREAD_LINK) == _inbox_order(plans)[50:]
    assert 'href="/staff/inbox?after=' not in second
    assert 'href="/staff/inbox"' in second.split("<main")[1]  # back to the start of the list


def test_inbox_show_more_under_htmx_adds_threads_to_the_list(app: Flask, session: Session) -> None:
    nurse, plans = _threads(session, 55)
    client = _nurse_client(app, session, nurse)
    shown = _ids(client.get("/staff/inbox").get_data(as_text=True), THREAD_LINK)
    response = client.get(f"/staff/inbox?after={shown[-1]}", headers=MORE)
    more = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in more
    assert 'hx-swap-oob="beforeend:#inbox-list"' in more
    assert _ids(more, THREAD_LINK) == _inbox_order(plans)[50:]
    assert more.count(" autofocus") == 1  # the first new thread takes the focus
    assert '<p id="inbox-more" class="mv-actions"></p>' in more  # the last page: no link
    assert 'hx-swap-oob="innerHTML:#live-region">5 ' in more


def test_inbox_fragment_for_the_main_content_is_the_first_page(app: Flask, session: Session) -> None:
    nurse, _plans = _threads(session, 3)
    body = _nurse_client(app, session, nurse).get("/staff/inbox", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert 'id="inbox-list"' in body


@pytest.mark.parametrize("after", ODD_CURSORS)
def test_inbox_odd_cursors_give_the_first_page(app: Flask, session: Session, after: str) -> None:
    nurse, plans = _threads(session, 52)
    response = _nurse_client(app, session, nurse).get(f"/staff/inbox?after={after}")
    assert response.status_code == 200
    assert _ids(response.get_data(as_text=True), THREAD_LINK) == _inbox_order(plans)[:50]


def test_inbox_cursor_of_another_units_thread_gives_the_first_page(app: Flask, session: Session) -> None:
    nurse, plans = _threads(session, 52)
    _other_nurse, elsewhere = _threads(session, 1)
    page = _nurse_client(app, session, nurse).get(f"/staff/inbox?after={elsewhere[0].id}").get_data(as_text=True)
    assert _ids(page, THREAD_LINK) == _inbox_order(plans)[:50]
    assert 'href="/staff/inbox"' not in page.split("<main")[1]


def test_inbox_costs_the_same_statements_for_3_and_60_threads(app: Flask, engine: Engine, session: Session) -> None:
    counts = []
    for size in (3, 60):
        nurse, plans = _threads(session, size)
        client = _nurse_client(app, session, nurse)
        counts.append((len(sent(engine, lambda c=client: c.get("/staff/inbox"))),
                       len(sent(engine, lambda c=client, p=plans: c.get(f"/staff/inbox?after={p[0].id}",
                                                                        headers=MORE)))))
    assert counts[0] == counts[1]


# --- the caseload ----------------------------------------------------------------------------------------------------

def _caseload(session: Session, count: int) -> tuple[StaffMember, list[int]]:
    """`count` patients of one nurse, every tenth with an open alert; their plans in the list's order."""
    where, nurse = _unit_with_nurse(session)
    plans = _patients(session, where, nurse, count)
    for plan in plans[::10]:
        factories.open_alert(session, plan)
    return nurse, [plan.id for plan in plans[::10]] + [plan.id for n, plan in enumerate(plans) if n % 10]


PLAN_LINK = r'<a class="mv-caseload__name" href="/staff/plans/(\d+)"'


def test_caseload_pages_keep_alerts_first_then_names(app: Flask, session: Session) -> None:
    nurse, order = _caseload(session, 70)
    client = _nurse_client(app, session, nurse)
    first = client.get("/staff/").get_data(as_text=True)
    assert _ids(first, PLAN_LINK) == order[:50]
    assert first.count("mv-rtable__row--attention") == 7
    assert f'href="/staff/?after={order[49]}"' in first
    more = client.get(f"/staff/?after={order[49]}", headers={"HX-Request": "true", "HX-Target": "caseload-more"})
    body = more.get_data(as_text=True)
    assert "<html" not in body
    assert 'hx-swap-oob="beforeend:#caseload-list"' in body
    assert _ids(body, PLAN_LINK) == order[50:]
    page = client.get(f"/staff/?after={order[49]}").get_data(as_text=True)
    assert "<html" in page
    assert _ids(page, PLAN_LINK) == order[50:]


@pytest.mark.parametrize("after", ODD_CURSORS)
def test_caseload_odd_cursors_give_the_first_page(app: Flask, session: Session, after: str) -> None:
    nurse, order = _caseload(session, 52)
    response = _nurse_client(app, session, nurse).get(f"/staff/?after={after}")
    assert response.status_code == 200
    assert _ids(response.get_data(as_text=True), PLAN_LINK) == order[:50]


def test_caseload_cursor_of_another_nurses_patient_gives_the_first_page(app: Flask, session: Session) -> None:
    nurse, order = _caseload(session, 52)
    _other, elsewhere = _caseload(session, 1)
    page = _nurse_client(app, session, nurse).get(f"/staff/?after={elsewhere[0]}").get_data(as_text=True)
    assert _ids(page, PLAN_LINK) == order[:50]


def test_caseload_costs_the_same_statements_for_3_and_60_patients(app: Flask, engine: Engine,
                                                                  session: Session) -> None:
    counts = []
    for size in (3, 60):
        nurse, order = _caseload(session, size)
        client = _nurse_client(app, session, nurse)
        counts.append((len(sent(engine, lambda c=client: c.get("/staff/"))),
                       len(sent(engine, lambda c=client, o=order: c.get(f"/staff/?after={o[0]}")))))
    assert counts[0] == counts[1]


# --- find by name ----------------------------------------------------------------------------------------------------

FOUND = r'<h3 class="mv-list__title"[^>]*>([^<]+)</h3>'


def _search(client: FlaskClient, q: str, after: str | None = None, headers: dict[str, str] | None = None):  # noqa: ANN202
    token = csrf_from(client.get("/staff/find").get_data(as_text=True))
    data = {"csrf_token": token, "q": q} | ({"after": after} if after is not None else {})
    return client.post("/staff/find", data=data, headers=headers)


def _after(html: str) -> str:
    return re.search(r'name="after" value="(\d+)"', html).group(1)


@pytest.fixture(params=["plan by plan", "from the name index"])
def big_units(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Find by name both ways: the units' plans one by one (as usual), and from the name index (very big units)."""
    if request.param == "from the name index":
        monkeypatch.setattr(builder, "BIG_UNITS", 0)


@pytest.mark.usefixtures("big_units")
def test_find_by_name_shows_20_and_a_form_for_more(app: Flask, session: Session) -> None:
    where, nurse = _unit_with_nurse(session)
    _patients(session, where, nurse, 45)
    client = _nurse_client(app, session, nurse)
    first = _search(client, "svens").get_data(as_text=True)
    assert re.findall(FOUND, first) == [f"Anna Svensson {n:03d}" for n in range(20)]
    assert "45 patienter hittades" in first  # how many in all, not on this page
    more_form = first.split('id="find-more"')[1].split("</div>")[0]
    assert 'method="post" action="/staff/find"' in more_form
    assert 'name="q" value="svens"' in more_form  # the search stays in the body, never in the address
    assert 'hx-post="/staff/find" hx-target="#find-more" hx-swap="outerHTML"' in more_form
    second = _search(client, "svens", _after(first)).get_data(as_text=True)  # without JavaScript: a page
    assert "<html" in second
    assert re.findall(FOUND, second) == [f"Anna Svensson {n:03d}" for n in range(20, 40)]
    more = _search(client, "svens", _after(second), {"HX-Request": "true", "HX-Target": "find-more"})
    body = more.get_data(as_text=True)
    assert "<html" not in body
    assert 'hx-swap-oob="beforeend:#find-list"' in body
    assert re.findall(FOUND, body) == [f"Anna Svensson {n:03d}" for n in range(40, 45)]
    assert body.count(" autofocus") == 1
    assert 'name="after"' not in body  # the last page


def test_find_logs_each_patient_shown_once_per_page(app: Flask, session: Session) -> None:
    where, nurse = _unit_with_nurse(session)
    plans = _patients(session, where, nurse, 25)
    client = _nurse_client(app, session, nurse)
    first = _search(client, "anna").get_data(as_text=True)
    _search(client, "anna", _after(first))
    session.expire_all()
    logged = session.exec(select(AccessEvent.patient_id).where(AccessEvent.resource == "patient_search")
                          .order_by(AccessEvent.id)).all()
    assert logged == [plan.patient_id for plan in plans]


@pytest.mark.usefixtures("big_units")
@pytest.mark.parametrize(("q", "found"), [
    ("svens", True), ("SVENS", True), ("anna svens", True), ("svensson anna", True), ("Sven-Erik", False),
    ("vensson", False), ("nna", False), ("karin", True), ("ber", True), ("%", False), ("_n", False),
    ("östl", True), ("Östl", True), ("åsa ö", True),
])
def test_find_matches_the_beginnings_of_name_words(app: Flask, session: Session, q: str, found: bool) -> None:
    where, nurse = _unit_with_nurse(session)
    factories.plan(session, factories.patient(session, name="Anna Svensson"), where, nurse)
    factories.plan(session, factories.patient(session, name="Karin Ek-Berg"), where, nurse)
    factories.plan(session, factories.patient(session, name="Åsa Östlund"), where, nurse)
    page = _search(_nurse_client(app, session, nurse), q).get_data(as_text=True)
    hits = re.findall(FOUND, page)
    assert bool(hits) == found, hits
    if found and q.lower().startswith(("ka", "ber")):
        assert hits == ["Karin Ek-Berg"]
    if found and q.lower().startswith(("ö", "å")):
        assert hits == ["Åsa Östlund"]


@pytest.mark.usefixtures("big_units")
def test_find_by_the_beginning_of_a_number_among_the_units_patients(app: Flask, session: Session) -> None:
    where, nurse = _unit_with_nurse(session)
    plan = factories.plan(session, factories.patient(session, name="Nils Nyström"), where, nurse)
    number = session.get(Patient, plan.patient_id).personal_id
    factories.patient_with_plan(session)  # someone else's patient, born the same day
    page = _search(_nurse_client(app, session, nurse), number[:8]).get_data(as_text=True)
    assert re.findall(FOUND, page) == ["Nils Nyström"]


@pytest.mark.parametrize("after", [cursor for cursor in ODD_CURSORS if cursor != "１２"])  # form values read １２ as 12
def test_find_odd_cursors_give_the_first_page(app: Flask, session: Session, after: str) -> None:
    where, nurse = _unit_with_nurse(session)
    _patients(session, where, nurse, 22)
    response = _search(_nurse_client(app, session, nurse), "anna", after)
    assert response.status_code == 200
    assert re.findall(FOUND, response.get_data(as_text=True))[0] == "Anna Svensson 000"


def test_find_cursor_of_a_patient_elsewhere_gives_the_first_page(app: Flask, session: Session) -> None:
    where, nurse = _unit_with_nurse(session)
    _patients(session, where, nurse, 22)
    elsewhere, _their_plan, _their_nurse = factories.patient_with_plan(session)
    response = _search(_nurse_client(app, session, nurse), "anna", str(elsewhere.id))
    assert re.findall(FOUND, response.get_data(as_text=True))[0] == "Anna Svensson 000"


def test_find_costs_the_same_statements_for_3_and_60_hits(app: Flask, engine: Engine, session: Session) -> None:
    """Reads are the same; each patient shown gets an access event, all written in one statement at the commit."""
    counts, inserts = [], []
    for size in (3, 60):
        where, nurse = _unit_with_nurse(session)
        plans = _patients(session, where, nurse, size, name=f"Anna Svensson{size}")
        client = _nurse_client(app, session, nurse)
        token = csrf_from(client.get("/staff/find").get_data(as_text=True))
        for after in ("", str(plans[0].patient_id)):
            client.post("/staff/find", data={"csrf_token": token, "q": "svens", "after": after})
            with counting(engine) as statements:
                client.post("/staff/find", data={"csrf_token": token, "q": "svens", "after": after})
            logged = [text for text in statements if text.startswith("INSERT INTO access_event")]
            counts.append(len(statements) - len(logged))
            inserts.append(len(logged))
    assert counts[:2] == counts[2:]
    assert inserts == [1, 1, 1, 1]


def test_find_reads_team_memberships_once_for_a_number_at_another_unit(app: Flask, engine: Engine,
                                                                       session: Session) -> None:
    patient, _plan, _their_nurse = factories.patient_with_plan(session)
    _where, nurse = _unit_with_nurse(session)
    client = _nurse_client(app, session, nurse)
    token = csrf_from(client.get("/staff/find").get_data(as_text=True))
    with counting(engine) as statements:
        page = client.post("/staff/find", data={"csrf_token": token, "q": patient.personal_id})
    assert 'action="/staff/emergency"' in page.get_data(as_text=True)
    finding = [text for text in statements if "message_thread_state" not in text]  # not the inbox badge's count
    assert sum("care_team_membership" in statement for statement in finding) == 1


# --- the access logs -------------------------------------------------------------------------------------------------
# Both logs show visits (portal/audit/visits.py), 25 at a time; the events below are 31 minutes apart, so each is a
# visit of its own, and the review's own read (for the nurse's unit) is one more.

def _logged(session: Session, count: int, minutes: int = 31) -> tuple[Patient, CarePlan, StaffMember]:
    """A patient whose plan was read `count` times by the nurse, `minutes` apart, the newest a minute ago."""
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    now = datetime.now(UTC)
    for n in range(count):
        session.add(AccessEvent(at=now - timedelta(minutes=n * minutes + 1), actor_user_id=nurse.user_id,
                                role="staff", patient_id=patient.id, action="read", resource=f"plan:{plan.id}"))
    session.commit()
    return patient, plan, nurse


def _event_ids(session: Session, patient: Patient) -> list[int]:
    """The patient's events, newest first (as the logs show them)."""
    session.expire_all()
    query = (select(AccessEvent.id).where(AccessEvent.patient_id == patient.id)
             .order_by(AccessEvent.at.desc(), AccessEvent.id.desc()))  # type: ignore[attr-defined]
    return list(session.exec(query).all())


ROW = r"<tr(?: class=\"mv-log__emergency\")?>\s*<td"


def test_staff_access_log_shows_25_visits_and_a_link_to_older(app: Flask, session: Session) -> None:
    patient, plan, nurse = _logged(session, 60)
    client = _nurse_client(app, session, nurse)
    first = client.get(f"/staff/plans/{plan.id}/access-log").get_data(as_text=True)
    assert len(re.findall(ROW, first)) == 25
    ids = _event_ids(session, patient)  # the review's own read is the newest
    older = f"/staff/plans/{plan.id}/access-log?before={ids[24]}"
    assert f'href="{older}"' in first
    second = client.get(older).get_data(as_text=True)
    assert "<html" in second
    assert len(re.findall(ROW, second)) == 25
    assert f'href="/staff/plans/{plan.id}/access-log"' in second  # back to the newest
    more = client.get(f"/staff/plans/{plan.id}/access-log?before={ids[49]}",
                      headers={"HX-Request": "true", "HX-Target": "log-more"}).get_data(as_text=True)
    assert "<html" not in more
    assert 'hx-swap-oob="beforeend:#log-rows"' in more
    assert len(re.findall(ROW, more)) == 11  # 61 visits: the 60 reads and the first page's own
    assert more.count(" autofocus") == 1
    assert 'href="/staff/plans/' not in more.split('id="log-more"')[1]  # the oldest page: no link


def test_staff_access_log_csv_has_every_row(app: Flask, session: Session) -> None:
    patient, plan, nurse = _logged(session, 1234, minutes=1)
    response = _nurse_client(app, session, nurse).get(f"/staff/plans/{plan.id}/access-log?format=csv")
    assert response.is_streamed  # sent while it is read, a thousand rows at a time
    lines = response.get_data(as_text=True).splitlines()
    response.close()  # as a server does: the request's session ends here
    assert lines[0].startswith("time_utc,actor,role")
    assert len(lines) == 1 + 1234 + 1  # and this download, logged before it is sent


@pytest.mark.parametrize("before", ODD_CURSORS)
def test_access_logs_odd_cursors_give_the_newest_page(app: Flask, session: Session, before: str) -> None:
    patient, plan, nurse = _logged(session, 30)
    staff = _nurse_client(app, session, nurse).get(f"/staff/plans/{plan.id}/access-log?before={before}")
    assert staff.status_code == 200
    assert len(re.findall(ROW, staff.get_data(as_text=True))) == 25
    mine = client_as(app, session.get(User, patient.user_id)).get(f"/plan/access-log?before={before}")
    assert mine.status_code == 200
    assert mine.get_data(as_text=True).count('class="mv-list__item') == 25


def test_access_log_cursor_of_another_patients_event_gives_the_newest_page(app: Flask, session: Session) -> None:
    patient, plan, nurse = _logged(session, 30)
    other, _other_plan, _other_nurse = _logged(session, 3)
    theirs = _event_ids(session, other)[0]
    page = _nurse_client(app, session, nurse).get(f"/staff/plans/{plan.id}/access-log?before={theirs}")
    assert len(re.findall(ROW, page.get_data(as_text=True))) == 25
    mine = client_as(app, session.get(User, patient.user_id)).get(f"/plan/access-log?before={theirs}")
    assert "mv-notice" not in mine.get_data(as_text=True).split("<main")[1]


def test_patients_log_continues_the_day_it_stopped_in(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = _logged(session, 40, minutes=65)  # 40 visits over almost two days
    client = client_as(app, session.get(User, patient.user_id))
    first = client.get("/plan/access-log").get_data(as_text=True)
    assert "40 besök" in first  # all of them counted, 25 shown
    assert first.count('class="mv-list__item') == 25
    cursor = re.search(r'href="/plan/access-log\?before=(\d+)"', first).group(1)
    last_day = re.findall(r'<ul class="mv-list" id="log-day-([\d-]+)">', first)[-1]
    more = client.get(f"/plan/access-log?before={cursor}",
                      headers={"HX-Request": "true", "HX-Target": "log-more"}).get_data(as_text=True)
    assert more.count('class="mv-list__item') == 15
    days = re.findall(r'hx-swap-oob="beforeend:#log-(?:day-)?([\w-]+)"', more)
    assert days[0] == last_day or days == ["days"]  # the same day goes on in its list; a new day is a new section
    assert more.count(f'<h2 id="log-{last_day}">') == 0
    everything = client.get(f"/plan/access-log?period=all&before={cursor}").get_data(as_text=True)
    assert everything.count('class="mv-list__item') == 15
    assert 'href="/plan/access-log?period=all"' in everything  # back to the newest, same period


@pytest.mark.parametrize("path", ["/staff/plans/{plan}/access-log", "/plan/access-log", "/plan/access-log?period=all"])
def test_access_logs_cost_the_same_statements_for_3_and_60_events(app: Flask, engine: Engine, session: Session,
                                                                  path: str) -> None:
    counts = []
    for size, minutes in ((3, 31), (60, 31), (60, 1)):  # 3 visits, 60 visits, one visit of 60 events
        patient, plan, nurse = _logged(session, size, minutes)
        reader = patient.user_id if path.startswith("/plan") else nurse.user_id
        client = client_as(app, session.get(User, reader))
        ids = _event_ids(session, patient)
        url = path.format(plan=plan.id)
        older = f"{url}{'&' if '?' in url else '?'}before={ids[1]}"
        counts.append((len(sent(engine, lambda c=client, u=url: c.get(u))),
                       len(sent(engine, lambda c=client, u=older: c.get(u)))))
    assert counts[0] == counts[1]
    assert counts[2][0] == counts[0][0]  # one visit of 60 events (its older page is empty: nothing to fill in)

