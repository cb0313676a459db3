"""Relatives and guardians acting for a patient, as they use the pages: inviting, accepting, scopes applied on every
request, revocation, choosing whose plan to see, the access log (the patient's and the staff's with CSV), guardians
registered by staff and ending on the 13th birthday, and staff's emergency access to a plan outside their units.

Dates are relative to the real Stockholm today, the day the pages use."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from portal.content.services import store as content
from portal.content.services.pack import load_pack
from portal.core.clock import STOCKHOLM, stockholm_today, utcnow
from portal.models import (
    AccessEvent,
    Article,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    Delegation,
    DelegationStatus,
    EmergencyAccess,
    Message,
    Notification,
    Patient,
    PlanItem,
    PlanReading,
    ReadingResponse,
    Relation,
    Role,
    StaffMember,
    TeamRole,
    User,
)
from portal.notifications.services import ACCOUNT_CODE, ACCOUNT_EXISTS, INVITATION
from portal.plans.services import acting, builder
from portal.plans.services import reading as plan_reading
from portal.relatives import services as ds
from tests import factories
from tests.conftest import count_rows, csrf_from, sign_in
from tests.content_pack import write_diagnosis

ALL_SCOPES = "plan messages_read messages_send forms"
PASSWORD = "ett långt lösenord"
CSRF_VALUES = re.compile(r'(name="csrf_token" value="|"X-CSRFToken": ")[^"]+')
CSV_HEADER = ["time_utc", "actor", "role", "unit", "acting_for_delegation", "relation", "emergency",
              "emergency_reason", "action", "resource"]


class World(NamedTuple):
    """Anna has a plan at the oncology unit with nurse Eva; Per is a relative with an account of his own."""

    unit: CareUnit
    nurse: StaffMember
    patient: Patient
    plan: CarePlan
    item: PlanItem
    relative: User


# --- helpers ---------------------------------------------------------------------------------------------------------

def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _relative_user(session: Session, name: str = "Per Berg", email: str | None = None,
                   role: str = Role.RELATIVE) -> User:
    account = factories.user(session, role=role, email=email)
    account.name = name
    session.add(account)
    session.commit()
    return account


def _delegation(session: Session, patient: Patient, relative: User | None, scopes: str = "plan",
                relation: str = Relation.PARTNER, status: str = DelegationStatus.ACTIVE,
                valid_from: date | None = None, valid_until: date | None = None) -> Delegation:
    found = Delegation(patient_id=patient.id, relative_user_id=relative.id if relative else None, relation=relation,
                       scopes=scopes, valid_from=valid_from or stockholm_today() - timedelta(days=10),
                       valid_until=valid_until or stockholm_today() + timedelta(days=60), status=status,
                       invite_name=relative.name if relative else "Per Berg",
                       invite_email=(relative.email if relative else None) or "per@example.se")
    session.add(found)
    session.commit()
    return found


def _signed_in(app: Flask, identifier: str) -> FlaskClient:
    client = app.test_client()
    response = sign_in(client, identifier, factories.PASSWORD)
    assert response.status_code == 303
    return client


def _post(client: FlaskClient, path: str, data: dict[str, object] | None = None, page: str = "/plan/"):  # noqa: ANN202
    """POST with the CSRF token of the client's session, taken from `page`."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _fresh(session: Session, model: type, row_id: int):  # noqa: ANN202
    session.commit()
    session.expire_all()
    return session.get(model, row_id)


def _events(session: Session, *where: object) -> list[AccessEvent]:
    session.commit()
    session.expire_all()
    return list(session.exec(select(AccessEvent).where(*where).order_by(AccessEvent.id)).all())


def _acting(client: FlaskClient) -> object:
    with client.session_transaction() as stored:
        return stored.get("acting_for")


def _latest_token(session: Session) -> str:
    """The code of the newest invitation in the outbox: after "#" in its link."""
    return _latest_payload(session, "%/invite#%").rsplit("#", 1)[1]


def _latest_payload(session: Session, like: str) -> str:
    session.commit()
    session.expire_all()
    notification = session.exec(select(Notification).where(Notification.kind == INVITATION,
                                                           col(Notification.payload).like(like))
                                .order_by(Notification.id.desc())).first()
    assert notification is not None
    return notification.payload


def _emailed_code(session: Session) -> str:
    """The 6-digit code for a new account, from the outbox."""
    return _latest_payload(session, f"{ACCOUNT_CODE}%").removeprefix(ACCOUNT_CODE)


def _open(client: FlaskClient, token: str):  # noqa: ANN202
    """Open an invitation as the form for its code does (what invite.js sends for a link)."""
    return _post(client, "/invite/open", {"invitation_code": token}, page="/accessibility")


def _visible(response) -> str:  # noqa: ANN001
    """The page without its CSRF tokens (different in each session)."""
    return CSRF_VALUES.sub("", response.get_data(as_text=True))


def _invite_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"name": "Per Berg", "email": "per.berg@example.se", "relation": "partner",
                               "scopes": ["plan"],
                               "valid_until": ds.add_months(stockholm_today(), 12).isoformat()}
    data.update(changes)
    return data


def _invitation(session: Session, world: World, scopes: tuple[str, ...] = ("plan",)) -> tuple[Delegation, str]:
    """A pending invitation from Anna, committed, and its raw token."""
    data = ds.InviteInput(name="Per Berg", email="per@example.se", relation=Relation.PARTNER, scopes=scopes,
                          valid_until=(stockholm_today() + timedelta(days=90)).isoformat())
    delegation = ds.invite(session, world.patient, session.get(User, world.patient.user_id), data, stockholm_today(),
                           "http://localhost")
    session.commit()
    return delegation, _latest_token(session)


def _account_data(**changes: str) -> dict[str, str]:
    data = {"name": "Per Berg", "email": "per.new@example.se"}
    data.update(changes)
    return data


def _code_data(code: str, **changes: str) -> dict[str, str]:
    data = {"code": code, "password": PASSWORD, "password_again": PASSWORD}
    data.update(changes)
    return data


def _make_account(client: FlaskClient, session: Session, token: str, **changes: str):  # noqa: ANN202
    """Open the invitation, make a new account in both steps with the e-mailed code; the last response."""
    assert _open(client, token).status_code == 303
    assert _post(client, "/invite/account", _account_data(**changes), page="/invite").status_code == 303
    return _post(client, "/invite/account/confirm", _code_data(_emailed_code(session)), page="/invite")


def _birth_turning_13_on(day: date) -> date:
    """A birth date that makes a child 13 on `day`. Nobody turns 13 on 29 February (the 1 March rule), so then
    the nearest that keeps the test's meaning: already 13 (28 February) if `day` is not in the future, else still
    12 on that day (1 March)."""
    try:
        return day.replace(year=day.year - 13)
    except ValueError:
        return date(day.year - 13, 2, 28) if day <= stockholm_today() else date(day.year - 13, 3, 1)


def _child(session: Session, birth: date, name: str = "Lisa Lund") -> Patient:
    child = factories.patient(session, name=name, pid=factories.personal_id(birth.strftime("%Y%m%d")))
    child.birth_date = birth
    session.add(child)
    session.commit()
    return child


def _child_plan(session: Session, world: World, birth: date) -> tuple[Patient, CarePlan]:
    child = _child(session, birth)
    made = factories.plan(session, child, world.unit, world.nurse)
    factories.item(session, made, days=4, title="Cytostatika", at=world.unit)
    return child, made


def _guardian(session: Session, child: Patient, guardian: User, valid_until: date | None = None) -> Delegation:
    until = valid_until or acting.thirteenth_birthday(child.birth_date) - timedelta(days=1)
    return _delegation(session, child, guardian, scopes=ALL_SCOPES, relation=Relation.GUARDIAN, valid_until=until)


def _message_form(client: FlaskClient) -> dict[str, str]:
    page = client.get("/plan/messages").get_data(as_text=True)
    token = page.split('name="client_token" value="')[1].split('"')[0]
    return {"client_token": token}


def _list_items(page: str) -> int:
    return page.count('class="mv-list__item')


def _second_unit(session: Session) -> tuple[CareUnit, StaffMember]:
    where = factories.unit(session, name="Akutmottagningen", phone="010-999 88 77")
    return where, factories.staff(session, where, name="Karin Berg")


def _staff_post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # noqa: ANN202
    return _post(client, path, data, page="/staff/")


def _csv_rows(response) -> list[list[str]]:  # noqa: ANN001
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# --- fixtures --------------------------------------------------------------------------------------------------------

@pytest.fixture
def world(session: Session) -> World:
    where = factories.unit(session, name="Onkologimottagningen")
    nurse = factories.staff(session, where, name="Eva Lund")
    anna = factories.patient(session, name="Anna Berg")
    made = factories.plan(session, anna, where, nurse)
    first = factories.item(session, made, days=3, title="Strålbehandling", at=where)
    return World(where, nurse, anna, made, first, _relative_user(session, email="per@example.se"))


@pytest.fixture
def patient_client(client: FlaskClient, world: World) -> FlaskClient:
    """Anna, signed in."""
    response = sign_in(client, world.patient.personal_id, factories.PASSWORD)
    assert response.status_code == 303
    return client


@pytest.fixture
def relative_client(app: Flask, world: World) -> FlaskClient:
    """Per, signed in (acting for nobody yet)."""
    return _signed_in(app, world.relative.email)


@pytest.fixture
def nurse_client(app: Flask, session: Session, world: World) -> FlaskClient:
    return _signed_in(app, session.get(User, world.nurse.user_id).email)


@pytest.fixture
def plan_only(session: Session, world: World) -> Delegation:
    """Per may see Anna's plan and reading, nothing else."""
    return _delegation(session, world.patient, world.relative, scopes="plan")


# --- the patient invites ---------------------------------------------------------------------------------------------

def test_relatives_page_offers_the_invitation_form(patient_client: FlaskClient, session: Session,
                                                   world: World) -> None:
    response = patient_client.get("/plan/relatives")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/plan/relatives"' in page
    assert f'value="{ds.add_months(stockholm_today(), 12).isoformat()}"' in page  # 12 months by default
    for scope in ("plan", "messages_read", "messages_send", "forms"):
        assert f'value="{scope}"' in page
    assert 'value="guardian"' not in page
    assert len(_events(session, AccessEvent.actor_user_id == world.patient.user_id,
                       AccessEvent.resource == "delegations", AccessEvent.action == "read")) == 1


def test_invite_makes_a_pending_delegation_and_queues_the_email(patient_client: FlaskClient, session: Session,
                                                                world: World) -> None:
    response = _post(patient_client, "/plan/relatives",
                     _invite_data(scopes=["forms", "plan"], email="Per.Berg@Example.se"), page="/plan/relatives")
    assert response.status_code == 303
    assert response.headers["Location"] == "/plan/relatives?done=invited#confirmation"
    delegation = session.exec(select(Delegation)).one()
    assert delegation.patient_id == world.patient.id
    assert delegation.status == DelegationStatus.INVITED
    assert delegation.relative_user_id is None
    assert delegation.scopes == "plan forms"
    assert delegation.relation == "partner"
    assert delegation.valid_from == stockholm_today()
    assert delegation.valid_until == ds.add_months(stockholm_today(), 12)
    assert delegation.invite_email == "per.berg@example.se"
    notification = session.exec(select(Notification)).one()
    assert notification.kind == INVITATION
    assert notification.to_address == "per.berg@example.se"
    assert "/invite#" in notification.payload
    token = _latest_token(session)
    assert delegation.invite_token_hash == ds.hash_token(token)
    assert len(_events(session, AccessEvent.action == "create",
                       AccessEvent.resource == f"delegation:{delegation.id}")) == 1
    page = patient_client.get("/plan/relatives?done=invited").get_data(as_text=True)
    assert f'id="delegation-{delegation.id}"' in page
    assert "Per Berg" in page
    assert token not in page


def test_a_refused_invitation_keeps_what_was_typed(patient_client: FlaskClient, session: Session) -> None:
    response = _post(patient_client, "/plan/relatives",
                     _invite_data(email="per-at-example", relation="sibling", scopes=["plan", "forms"]),
                     page="/plan/relatives")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Per Berg"' in page
    assert 'value="per-at-example"' in page
    assert '<option value="sibling" selected>' in page
    assert 'id="scope-forms" name="scopes" type="checkbox" value="forms" checked' in page
    assert 'id="scope-messages_read" name="scopes" type="checkbox" value="messages_read">' in page
    assert 'aria-invalid="true"' in page
    assert count_rows(session, Delegation) == 0
    assert count_rows(session, Notification) == 0


@pytest.mark.parametrize("scopes", [["admin"], ["plan", "everything"], ["messages_send"], [], ["PLAN"]])
def test_scopes_outside_the_list_are_refused(patient_client: FlaskClient, session: Session,
                                             scopes: list[str]) -> None:
    response = _post(patient_client, "/plan/relatives", _invite_data(scopes=scopes), page="/plan/relatives")
    assert response.status_code == 422
    assert 'id="scopes-error"' in response.get_data(as_text=True)
    assert count_rows(session, Delegation) == 0
    assert count_rows(session, Notification) == 0
    assert len(_events(session, AccessEvent.action == "denied", AccessEvent.resource == "delegation:new")) == 1


@pytest.mark.parametrize("until", [
    lambda today: today - timedelta(days=1),
    lambda today: ds.add_months(today, 24) + timedelta(days=1),
    lambda today: ds.add_months(today, 60),  # five years (add_months keeps 29 February valid)
])
def test_end_dates_in_the_past_or_beyond_24_months_are_refused(patient_client: FlaskClient, session: Session,
                                                               until) -> None:  # noqa: ANN001
    response = _post(patient_client, "/plan/relatives", _invite_data(valid_until=until(stockholm_today()).isoformat()),
                     page="/plan/relatives")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="valid_until-error"' in page
    assert f'value="{until(stockholm_today()).isoformat()}"' in page  # kept to correct
    assert count_rows(session, Delegation) == 0
    refused = _events(session, AccessEvent.action == "denied", AccessEvent.resource == "delegation:new")
    assert [event.role for event in refused] == ["patient"]


def test_an_end_date_exactly_24_months_ahead_is_fine(patient_client: FlaskClient, session: Session) -> None:
    until = ds.add_months(stockholm_today(), 24)
    response = _post(patient_client, "/plan/relatives", _invite_data(valid_until=until.isoformat()),
                     page="/plan/relatives")
    assert response.status_code == 303
    assert session.exec(select(Delegation)).one().valid_until == until


def test_a_patient_cannot_make_someone_a_guardian(patient_client: FlaskClient, session: Session) -> None:
    response = _post(patient_client, "/plan/relatives", _invite_data(relation="guardian"), page="/plan/relatives")
    assert response.status_code == 422
    assert count_rows(session, Delegation) == 0


# --- accepting an invitation -----------------------------------------------------------------------------------------

def test_the_invitation_link_has_the_code_after_the_hash_only(patient_client: FlaskClient, session: Session) -> None:
    """A fragment is never sent to the server, so the code is in no request line and no access log."""
    _post(patient_client, "/plan/relatives", _invite_data(), page="/plan/relatives")
    link = urlsplit(_latest_payload(session, "%"))
    token = _latest_token(session)
    assert (link.path, link.query, link.fragment) == ("/invite", "", token)
    assert ds.invitation_code(token) == token


def test_no_route_takes_an_invitation_code_in_its_address(app: Flask, session: Session, world: World) -> None:
    _delegation_row, token = _invitation(session, world)
    visitor = app.test_client()
    assert visitor.get(f"/invite/{token}").status_code == 404
    assert visitor.get(f"/invite?code={token}").status_code == 200  # the form; the query string is ignored
    with visitor.session_transaction() as stored:
        assert "invite_token" not in stored
    invite_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/invite")]
    assert invite_rules
    assert [rule.rule for rule in invite_rules if rule.arguments] == []


def test_the_invitation_page_without_an_invitation_asks_for_the_code(app: Flask, session: Session,
                                                                     world: World) -> None:
    response = app.test_client().get("/invite")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/invite/open"' in body
    assert 'name="invitation_code"' in body
    assert 'name="csrf_token"' in body
    assert "/static/js/invite.js?v=" in body
    assert _events(session, AccessEvent.resource == "invitation") == []


def test_opening_by_code_keeps_it_in_the_session_not_in_the_address(app: Flask, session: Session,
                                                                      world: World) -> None:
    _delegation_row, token = _invitation(session, world)
    visitor = app.test_client()
    written = "-".join(token[i:i + 5] for i in range(0, 20, 5)).lower()  # as typed from the e-mail
    response = _open(visitor, f" {written} ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/invite"
    with visitor.session_transaction() as stored:
        assert stored["invite_token"] == token
    page = visitor.get("/invite")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert token not in body
    assert 'action="/invite/account"' in body
    assert 'href="/login?next=/invite"' in body
    assert 'data-invite-open' in body  # another invitation's link opens from here too
    # the secret code's holder learns who invites, and what for, before being asked anything
    assert body.index(f"{world.patient.name} vill att du") < body.index('action="/invite/account"')


@pytest.mark.parametrize("written", ["forged-token-000000000", "x", "A" * 150, "ABCDE-FGHJK-MNPQR-STVWX", ""])
def test_a_wrong_invitation_code_shows_the_form_again(app: Flask, session: Session, world: World,
                                                      written: str) -> None:
    _invitation(session, world)
    visitor = app.test_client()
    response = _open(visitor, written)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="invitation_code-error"' in body
    assert 'aria-invalid="true"' in body
    if written:
        assert f'value="{written}"' in body
    with visitor.session_transaction() as stored:
        assert "invite_token" not in stored
    assert len(_events(session, AccessEvent.action == "denied", AccessEvent.resource == "invitation")) == 1


def test_a_new_relative_account_accepts(app: Flask, session: Session, world: World) -> None:
    delegation, token = _invitation(session, world)
    visitor = app.test_client()
    response = _make_account(visitor, session, token, email="Per.New@Example.se")
    assert response.status_code == 303
    assert response.headers["Location"] == "/invite/welcome"
    account = session.exec(select(User).where(User.email == "per.new@example.se")).one()
    assert account.role == Role.RELATIVE
    assert account.name == "Per Berg"
    assert account.id != world.patient.user_id
    found = _fresh(session, Delegation, delegation.id)
    assert found.status == DelegationStatus.ACTIVE
    assert found.relative_user_id == account.id
    assert found.invite_token_hash is None
    assert _acting(visitor) == delegation.id
    with visitor.session_transaction() as stored:
        assert "invite_token" not in stored
        assert "invite_account" not in stored
    start = visitor.get("/plan/")  # signed in already
    assert start.status_code == 200
    assert 'class="mv-acting-banner' in start.get_data(as_text=True)
    created = _events(session, AccessEvent.actor_user_id == account.id, AccessEvent.action == "create")
    assert [(e.resource, e.acting_for_delegation_id, e.role) for e in created] == [
        (f"delegation:{delegation.id}", delegation.id, "relative")]
    assert sign_in(app.test_client(), "per.new@example.se", PASSWORD).status_code == 303


def test_the_first_step_sends_a_code_and_keeps_only_its_keyed_hash(app: Flask, session: Session,
                                                                  world: World) -> None:
    delegation, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    response = _post(visitor, "/invite/account", _account_data(), page="/invite")
    assert response.status_code == 303
    assert response.headers["Location"] == "/invite"
    code = _emailed_code(session)
    assert re.fullmatch(r"\d{6}", code)
    with visitor.session_transaction() as stored:
        pending = dict(stored["invite_account"])
    assert code not in str(pending)
    assert PASSWORD not in str(pending)
    assert set(pending) == {"invitation", "name", "email", "digest", "sent_at"}
    assert pending["invitation"] == delegation.id
    assert pending["digest"] == ds.code_digest(app.config["SECRET_KEY"], delegation.id, "per.new@example.se",
                                               pending["sent_at"], code)
    page = visitor.get("/invite")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "per.new@example.se" in body
    assert 'action="/invite/account/confirm"' in body
    assert 'autocomplete="one-time-code"' in body
    assert count_rows(session, User, User.email == "per.new@example.se") == 0


def test_making_an_account_answers_the_same_whether_or_not_the_address_has_one(app: Flask, session: Session,
                                                                              world: World) -> None:
    """Anyone holding an invitation could otherwise test which addresses have accounts."""
    _delegation_row, token = _invitation(session, world)
    answers = []
    for taken in (False, True):
        if taken:
            _relative_user(session, name="Olle Ek", email="olle@example.se")
        visitor = app.test_client()
        _open(visitor, token)
        first = _post(visitor, "/invite/account", _account_data(name="Olle Ek", email="olle@example.se"),
                      page="/invite")
        page = visitor.get("/invite")
        wrong = _post(visitor, "/invite/account/confirm", _code_data("000000"), page="/accessibility")
        answers.append([(r.status_code, r.headers.get("Location"), _visible(r)) for r in (first, page, wrong)])
    assert answers[0] == answers[1]
    assert [status for status, _location, _body in answers[0]] == [303, 200, 422]
    free, taken_mail = (n.payload for n in session.exec(
        select(Notification).where(Notification.to_address == "olle@example.se").order_by(Notification.id)).all())
    assert free.startswith(ACCOUNT_CODE)
    assert taken_mail == ACCOUNT_EXISTS  # no code: the owner is told to sign in instead
    assert count_rows(session, User, User.email == "olle@example.se") == 1


def test_a_taken_address_never_gets_a_new_account(app: Flask, session: Session, world: World,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ds.secrets, "randbelow", lambda _n: 123456)  # even someone who guessed the code
    _delegation_row, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    _post(visitor, "/invite/account", _account_data(email="PER@example.se"), page="/invite")  # Per's account
    response = _post(visitor, "/invite/account/confirm", _code_data("123456"), page="/invite")
    assert response.status_code == 422
    assert 'id="code-error"' in response.get_data(as_text=True)
    assert count_rows(session, User, User.email == "per@example.se") == 1
    assert _acting(visitor) is None


@pytest.mark.parametrize(("changes", "field"), [
    ({"email": "inte-en-adress"}, "email"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
])
def test_the_first_step_with_bad_details_sends_nothing(app: Flask, session: Session, world: World,
                                                       changes: dict[str, str], field: str) -> None:
    _delegation_row, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    mails = count_rows(session, Notification)
    response = _post(visitor, "/invite/account", _account_data(**changes), page="/invite")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in body
    assert f'value="{_account_data(**changes)["email"]}"' in body  # kept to correct
    assert count_rows(session, Notification) == mails
    with visitor.session_transaction() as stored:
        assert "invite_account" not in stored


@pytest.mark.parametrize(("changes", "field"), [
    ({"password": "kort", "password_again": "kort"}, "password"),
    ({"password_again": "något annat helt"}, "password_again"),
])
def test_a_bad_password_keeps_the_code_usable(app: Flask, session: Session, world: World,
                                              changes: dict[str, str], field: str) -> None:
    delegation, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    _post(visitor, "/invite/account", _account_data(), page="/invite")
    code = _emailed_code(session)
    response = _post(visitor, "/invite/account/confirm", _code_data(code, **changes), page="/invite")
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert 'id="code-error"' not in response.get_data(as_text=True)
    assert count_rows(session, User, User.email == "per.new@example.se") == 0
    assert _post(visitor, "/invite/account/confirm", _code_data(code), page="/invite").status_code == 303
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.ACTIVE


def test_five_wrong_codes_start_again(app: Flask, session: Session, world: World) -> None:
    delegation, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    _post(visitor, "/invite/account", _account_data(), page="/invite")
    code = _emailed_code(session)
    with visitor.session_transaction() as stored:
        saved = dict(stored["invite_account"])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(4):
        response = _post(visitor, "/invite/account/confirm", _code_data(wrong), page="/invite")
        assert response.status_code == 422
        assert 'action="/invite/account/confirm"' in response.get_data(as_text=True)
    fifth = _post(visitor, "/invite/account/confirm", _code_data(wrong), page="/invite")
    body = fifth.get_data(as_text=True)
    assert fifth.status_code == 422
    assert 'action="/invite/account"' in body  # the first step again, with what was typed
    assert 'value="per.new@example.se"' in body
    with visitor.session_transaction() as stored:
        assert "invite_account" not in stored
        stored["invite_account"] = saved  # a copy of the old cookie gives no more tries
    again = _post(visitor, "/invite/account/confirm", _code_data(code), page="/accessibility")
    assert again.status_code == 422
    assert count_rows(session, User, User.email == "per.new@example.se") == 0
    assert len(_events(session, AccessEvent.action == "denied",
                       AccessEvent.resource == f"invitation_code:{delegation.id}")) == 5
    # A new code is a new start.
    _post(visitor, "/invite/account/restart", page="/accessibility")
    _post(visitor, "/invite/account", _account_data(), page="/invite")
    assert _post(visitor, "/invite/account/confirm", _code_data(_emailed_code(session)),
                 page="/invite").status_code == 303


def test_an_expired_code_fails(app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    delegation, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    _post(visitor, "/invite/account", _account_data(), page="/invite")
    code = _emailed_code(session)
    later = utcnow() + timedelta(minutes=ds.CODE_MINUTES, seconds=5)
    monkeypatch.setattr("portal.relatives.public.utcnow", lambda: later)
    response = _post(visitor, "/invite/account/confirm", _code_data(code), page="/invite")
    assert response.status_code == 422
    assert 'id="code-error"' in response.get_data(as_text=True)
    assert count_rows(session, User, User.email == "per.new@example.se") == 0
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.INVITED


def test_starting_again_forgets_the_code(app: Flask, session: Session, world: World) -> None:
    _delegation_row, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    _post(visitor, "/invite/account", _account_data(), page="/invite")
    code = _emailed_code(session)
    restart = _post(visitor, "/invite/account/restart", page="/invite")
    assert restart.status_code == 303
    assert restart.headers["Location"] == "/invite"
    assert 'action="/invite/account"' in visitor.get("/invite").get_data(as_text=True)
    response = _post(visitor, "/invite/account/confirm", _code_data(code), page="/invite")
    assert response.status_code == 200  # nothing under way: the first step
    assert count_rows(session, User, User.email == "per.new@example.se") == 0


def test_a_signed_in_relative_accepts(relative_client: FlaskClient, session: Session, world: World) -> None:
    delegation, token = _invitation(session, world, scopes=("plan", "messages_read"))
    assert _open(relative_client, token).status_code == 303
    page = relative_client.get("/invite")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert world.patient.name in body
    assert 'action="/invite/accept"' in body
    response = _post(relative_client, "/invite/accept", page="/invite")
    assert response.status_code == 303
    assert response.headers["Location"] == "/invite/welcome"
    found = _fresh(session, Delegation, delegation.id)
    assert found.status == DelegationStatus.ACTIVE
    assert found.relative_user_id == world.relative.id
    assert found.accepted_at is not None
    assert _acting(relative_client) == delegation.id
    assert relative_client.get("/plan/messages").status_code == 200


@pytest.mark.parametrize("during_account", [False, True])
def test_the_invitation_survives_signing_in(app: Flask, session: Session, world: World,
                                            during_account: bool) -> None:
    delegation, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    page = visitor.get("/invite").get_data(as_text=True)
    if during_account:  # "I have an account" from the page that asks for the code
        _post(visitor, "/invite/account", _account_data(email=world.relative.email), page="/invite")
        page = visitor.get("/invite").get_data(as_text=True)
        assert 'action="/invite/account/confirm"' in page
    assert 'href="/login?next=/invite"' in page
    response = sign_in(visitor, world.relative.email, factories.PASSWORD, next="/invite")
    assert response.headers["Location"] == "/invite"
    assert 'action="/invite/accept"' in visitor.get("/invite").get_data(as_text=True)
    assert _post(visitor, "/invite/accept", page="/invite").status_code == 303
    assert _fresh(session, Delegation, delegation.id).relative_user_id == world.relative.id


def test_another_invitation_code_replaces_the_first(app: Flask, session: Session, world: World) -> None:
    first, first_token = _invitation(session, world)
    second, second_token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, first_token)
    _post(visitor, "/invite/account", _account_data(), page="/invite")
    _open(visitor, second_token)
    with visitor.session_transaction() as stored:
        assert stored["invite_token"] == second_token
        assert "invite_account" not in stored
    assert 'action="/invite/account"' in visitor.get("/invite").get_data(as_text=True)


def test_accepting_without_signing_in_goes_to_sign_in(app: Flask, session: Session, world: World) -> None:
    delegation, token = _invitation(session, world)
    visitor = app.test_client()
    _open(visitor, token)
    response = _post(visitor, "/invite/accept", page="/invite")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.INVITED


def _refused(client: FlaskClient) -> None:
    """The invitation page and accepting both answer 400 (each refusal logged) and nothing is granted."""
    assert client.get("/invite").status_code == 400
    assert _post(client, "/invite/accept", page="/accessibility").status_code == 400
    assert _acting(client) is None


def test_a_reused_invitation_is_refused(app: Flask, relative_client: FlaskClient, session: Session,
                                        world: World) -> None:
    delegation, token = _invitation(session, world)
    _open(relative_client, token)
    assert _post(relative_client, "/invite/accept", page="/invite").status_code == 303
    other = _signed_in(app, _relative_user(session, name="Olle Ek", email="olle@example.se").email)
    before = count_rows(session, AccessEvent, AccessEvent.action == "denied", AccessEvent.resource == "invitation")
    assert _open(other, token).status_code == 422  # used: the code no longer opens anything
    assert _post(other, "/invite/accept", page="/accessibility").status_code == 400
    assert _acting(other) is None
    assert _fresh(session, Delegation, delegation.id).relative_user_id == world.relative.id
    assert count_rows(session, Delegation, Delegation.status == DelegationStatus.ACTIVE) == 1
    assert count_rows(session, AccessEvent, AccessEvent.action == "denied",
                      AccessEvent.resource == "invitation") == before + 2
    anonymous = app.test_client()
    assert _open(anonymous, token).status_code == 422
    users = count_rows(session, User)
    assert _post(anonymous, "/invite/account", _account_data(), page="/login").status_code == 400
    assert _post(anonymous, "/invite/account/confirm", _code_data("123456"), page="/login").status_code == 400
    assert count_rows(session, User) == users


def test_an_expired_invitation_is_refused(relative_client: FlaskClient, session: Session, world: World) -> None:
    delegation, token = _invitation(session, world)
    delegation.invite_expires_at = utcnow() - timedelta(minutes=1)
    session.add(delegation)
    session.commit()
    _open(relative_client, token)
    _refused(relative_client)
    found = _fresh(session, Delegation, delegation.id)
    assert found.status == DelegationStatus.INVITED
    assert found.relative_user_id is None
    denied = _events(session, AccessEvent.action == "denied", AccessEvent.resource == "invitation")
    assert len(denied) == 2
    # The first refusal names the patient; then the unusable link is forgotten, so the second one cannot.
    assert sorted((e.actor_user_id, e.patient_id or 0) for e in denied) == [(world.relative.id, 0),
                                                                             (world.relative.id, world.patient.id)]


def test_an_invitation_older_than_7_days_is_refused(relative_client: FlaskClient, session: Session,
                                                    world: World) -> None:
    delegation, token = _invitation(session, world)
    delegation.invite_expires_at = _utc(delegation.invite_expires_at) - timedelta(days=8)
    session.add(delegation)
    session.commit()
    _open(relative_client, token)
    _refused(relative_client)
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.INVITED


def test_accepting_without_any_invitation_is_refused(app: Flask, relative_client: FlaskClient, session: Session,
                                                     world: World) -> None:
    assert _post(relative_client, "/invite/accept", page="/accessibility").status_code == 400
    assert _post(app.test_client(), "/invite/account", _account_data(), page="/login").status_code == 400
    assert len(_events(session, AccessEvent.action == "denied", AccessEvent.resource == "invitation")) == 2
    assert count_rows(session, Notification) == 0


def test_a_patient_cannot_accept_their_own_invitation(patient_client: FlaskClient, session: Session,
                                                      world: World) -> None:
    delegation, token = _invitation(session, world)
    _open(patient_client, token)
    _refused(patient_client)
    found = _fresh(session, Delegation, delegation.id)
    assert found.status == DelegationStatus.INVITED
    assert found.relative_user_id is None
    assert len(_events(session, AccessEvent.actor_user_id == world.patient.user_id, AccessEvent.action == "denied",
                       AccessEvent.resource == "invitation")) == 2


def test_a_staff_account_cannot_accept(nurse_client: FlaskClient, session: Session, world: World) -> None:
    delegation, token = _invitation(session, world)
    _open(nurse_client, token)
    assert nurse_client.get("/invite").status_code == 400
    assert _post(nurse_client, "/invite/accept", page="/staff/").status_code == 400
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.INVITED


def test_someone_with_access_already_cannot_accept_again(relative_client: FlaskClient, session: Session,
                                                         world: World, plan_only: Delegation) -> None:
    delegation, token = _invitation(session, world, scopes=("plan", "messages_read", "forms"))
    _open(relative_client, token)
    _refused(relative_client)
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.INVITED
    assert _fresh(session, Delegation, plan_only.id).scopes == "plan"


def test_a_withdrawn_invitation_cannot_be_used(patient_client: FlaskClient, relative_client: FlaskClient,
                                               session: Session, world: World) -> None:
    delegation, token = _invitation(session, world)
    _open(relative_client, token)  # opened before it was withdrawn
    response = _post(patient_client, f"/plan/relatives/{delegation.id}/revoke")
    assert response.status_code == 303
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.REVOKED
    _refused(relative_client)
    assert _open(relative_client, token).status_code == 422


# --- a relative who may only see the plan ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/plan/", "/plan/timeline", "/plan/reading", "/plan/print", "/plan/what-matters",
                                  "item"])
def test_a_plan_only_relative_sees_the_plan(relative_client: FlaskClient, world: World, plan_only: Delegation,
                                            path: str) -> None:
    path = f"/plan/items/{world.item.id}" if path == "item" else path
    assert relative_client.get(path).status_code == 200
    assert _acting(relative_client) == plan_only.id


@pytest.mark.parametrize(("path", "endpoint"), [
    ("/plan/messages", "messages.patient.thread"),
    ("/plan/forms", "questionnaires.patient.form_list"),
    ("/plan/settings", "notifications.patient.settings"),
    ("/plan/relatives", "relatives.patient.relative_list"),
    ("/plan/access-log", "audit.patient.access_log"),
    ("/plan/items/new", "plans.patient.item_new"),
])
def test_a_plan_only_relative_gets_403_elsewhere(relative_client: FlaskClient, session: Session, world: World,
                                                 plan_only: Delegation, path: str, endpoint: str) -> None:
    relative_client.get("/plan/")
    response = relative_client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'href="/plan/"' in page  # back to what they may see
    denied = _events(session, AccessEvent.action == "denied", AccessEvent.resource == f"endpoint:{endpoint}")
    assert len(denied) == 1
    assert denied[0].acting_for_delegation_id == plan_only.id
    assert denied[0].actor_user_id == world.relative.id
    assert denied[0].patient_id == world.patient.id
    assert denied[0].role == "relative"
    assert _acting(relative_client) == plan_only.id  # still acting for Anna on the pages in scope


@pytest.mark.parametrize(("path", "endpoint"), [
    ("/plan/messages", "messages.patient.message_create"),
    ("/plan/settings", "notifications.patient.settings_update"),
    ("/plan/relatives", "relatives.patient.relative_invite"),
    ("own", "relatives.patient.relative_update"),
    ("own/revoke", "relatives.patient.relative_revoke"),
    ("/plan/what-matters", "plans.patient.what_matters_update"),
    ("/plan/items/new", "plans.patient.item_create"),
    ("article", "plans.patient.article_response"),
])
def test_a_plan_only_relative_cannot_post(relative_client: FlaskClient, session: Session, world: World,
                                          plan_only: Delegation, path: str, endpoint: str) -> None:
    path = {"own": f"/plan/relatives/{plan_only.id}", "own/revoke": f"/plan/relatives/{plan_only.id}/revoke",
            "article": "/plan/reading/1"}.get(path, path)
    data = {"body": "Hej", "client_token": "t" * 20, "name": "Olle", "email": "olle@example.se",
            "relation": "friend", "scopes": ["plan", "messages_read", "messages_send", "forms"],
            "valid_until": (stockholm_today() + timedelta(days=300)).isoformat(), "what_matters": "x",
            "response": "understood",
            "title": "Tandläkaren", "day": (stockholm_today() + timedelta(days=3)).isoformat()}
    messages = count_rows(session, Message)
    response = _post(relative_client, path, data)
    assert response.status_code == 403
    denied = _events(session, AccessEvent.action == "denied", AccessEvent.resource == f"endpoint:{endpoint}")
    assert [(e.acting_for_delegation_id, e.role, e.patient_id) for e in denied] == [
        (plan_only.id, "relative", world.patient.id)]
    found = _fresh(session, Delegation, plan_only.id)
    assert found.scopes == "plan"
    assert found.status == DelegationStatus.ACTIVE
    assert count_rows(session, Delegation) == 1
    assert count_rows(session, Message) == messages


def test_the_navigation_links_only_what_is_in_scope(relative_client: FlaskClient, world: World,
                                                    plan_only: Delegation) -> None:
    page = relative_client.get("/plan/").get_data(as_text=True)
    assert 'href="/plan/timeline"' in page
    assert 'href="/plan/reading"' in page
    assert 'href="/plan/messages"' not in page
    assert 'href="/plan/forms"' not in page
    assert 'href="/plan/relatives"' not in page
    assert 'href="/plan/access-log"' not in page
    assert 'href="/plan/settings"' not in page
    assert 'href="/plan/what-matters"' not in page
    assert 'class="mv-acting-banner' in page
    assert "Annas" in page  # whose plan it is
    timeline = relative_client.get("/plan/timeline").get_data(as_text=True)
    assert 'href="/plan/items/new"' not in timeline
    assert f'href="/plan/items/{world.item.id}"' in timeline


def test_the_patient_sees_every_link_and_no_banner(patient_client: FlaskClient) -> None:
    page = patient_client.get("/plan/").get_data(as_text=True)
    for path in ("/plan/timeline", "/plan/messages", "/plan/forms", "/plan/reading", "/plan/more"):
        assert f'href="{path}"' in page
    more = patient_client.get("/plan/more").get_data(as_text=True)  # "Mer" in the navigation
    for path in ("/plan/relatives", "/plan/access-log", "/plan/settings"):
        assert f'href="{path}"' in more
    assert 'class="mv-acting-banner' not in page


def test_every_relative_read_is_logged_with_the_delegation(relative_client: FlaskClient, session: Session,
                                                           world: World, plan_only: Delegation) -> None:
    for path in ("/plan/", "/plan/timeline", f"/plan/items/{world.item.id}", "/plan/reading"):
        assert relative_client.get(path).status_code == 200
    reads = _events(session, AccessEvent.actor_user_id == world.relative.id, AccessEvent.action == "read")
    assert [e.resource for e in reads] == [f"plan:{world.plan.id}", f"timeline:{world.plan.id}",
                                           f"item:{world.item.id}", f"reading:{world.plan.id}"]
    assert {(e.acting_for_delegation_id, e.role, e.patient_id, e.emergency) for e in reads} == {
        (plan_only.id, "relative", world.patient.id, False)}


# --- the patient changes or ends the access --------------------------------------------------------------------------

def test_added_scope_applies_to_the_very_next_request(patient_client: FlaskClient, relative_client: FlaskClient,
                                                      session: Session, world: World, plan_only: Delegation) -> None:
    assert relative_client.get("/plan/messages").status_code == 403
    until = (stockholm_today() + timedelta(days=200)).isoformat()
    response = _post(patient_client, f"/plan/relatives/{plan_only.id}",
                     {"scopes": ["plan", "messages_read"], "valid_until": until})
    assert response.status_code == 303
    assert response.headers["Location"] == "/plan/relatives?done=changed#confirmation"
    found = _fresh(session, Delegation, plan_only.id)
    assert found.scopes == "plan messages_read"
    assert found.valid_until.isoformat() == until
    messages = relative_client.get("/plan/messages")  # no new sign-in
    page = messages.get_data(as_text=True)
    assert messages.status_code == 200
    assert 'name="client_token"' not in page  # may read, not write
    assert 'href="/plan/messages"' in relative_client.get("/plan/").get_data(as_text=True)
    assert _post(relative_client, "/plan/messages", {"body": "Hej", "client_token": "t" * 20}).status_code == 403
    assert len(_events(session, AccessEvent.actor_user_id == world.patient.user_id, AccessEvent.action == "update",
                       AccessEvent.resource == f"delegation:{plan_only.id}")) == 1


def test_removed_scope_applies_to_the_very_next_request(patient_client: FlaskClient, relative_client: FlaskClient,
                                                        session: Session, plan_only: Delegation) -> None:
    assert relative_client.get("/plan/timeline").status_code == 200
    _post(patient_client, f"/plan/relatives/{plan_only.id}",
          {"scopes": ["messages_read"], "valid_until": (stockholm_today() + timedelta(days=30)).isoformat()})
    assert relative_client.get("/plan/timeline").status_code == 403
    assert relative_client.get("/plan/messages").status_code == 200


@pytest.mark.parametrize(("scopes", "until"), [
    (["messages_send"], 30),
    (["plan", "admin"], 30),
    ([], 30),
    (["plan"], -1),
    (["plan"], 24 * 31 + 10),
])
def test_a_bad_change_is_refused(patient_client: FlaskClient, session: Session, plan_only: Delegation,
                                 scopes: list[str], until: int) -> None:
    response = _post(patient_client, f"/plan/relatives/{plan_only.id}",
                     {"scopes": scopes, "valid_until": (stockholm_today() + timedelta(days=until)).isoformat()})
    assert response.status_code == 422
    found = _fresh(session, Delegation, plan_only.id)
    assert found.scopes == "plan"
    assert found.changed_at is None
    assert len(_events(session, AccessEvent.action == "denied",
                       AccessEvent.resource == f"delegation:{plan_only.id}")) == 1


def test_revoking_ends_the_access_on_the_next_request(patient_client: FlaskClient, relative_client: FlaskClient,
                                                      session: Session, world: World, plan_only: Delegation) -> None:
    assert relative_client.get("/plan/timeline").status_code == 200
    assert _acting(relative_client) == plan_only.id
    response = _post(patient_client, f"/plan/relatives/{plan_only.id}/revoke")
    assert response.status_code == 303
    assert response.headers["Location"] == "/plan/relatives?done=revoked#confirmation"
    found = _fresh(session, Delegation, plan_only.id)
    assert found.status == DelegationStatus.REVOKED
    assert found.revoked_at is not None
    ended = relative_client.get("/plan/timeline")
    page = ended.get_data(as_text=True)
    assert ended.status_code == 403
    assert 'href="/choose"' in page  # the access-ended page
    assert 'class="mv-acting-banner' not in page
    assert world.plan.diagnosis_summary not in page
    assert _acting(relative_client) is None
    denied = _events(session, AccessEvent.actor_user_id == world.relative.id, AccessEvent.action == "denied")
    assert [(e.resource, e.acting_for_delegation_id, e.patient_id) for e in denied] == [
        ("endpoint:plans.patient.timeline", plan_only.id, world.patient.id)]
    after = relative_client.get("/plan/")
    assert after.status_code in (302, 303)
    assert after.headers["Location"].startswith("/choose")
    assert "Anna Berg" not in relative_client.get("/choose").get_data(as_text=True)


def test_a_revoked_relative_cannot_choose_the_patient_again(relative_client: FlaskClient, session: Session,
                                                            plan_only: Delegation) -> None:
    relative_client.get("/plan/")
    plan_only.status = DelegationStatus.REVOKED
    session.add(plan_only)
    session.commit()
    response = _post(relative_client, "/choose", {"choice": str(plan_only.id)}, page="/accessibility")
    assert response.status_code == 422
    assert relative_client.get("/plan/timeline").status_code == 403
    assert _acting(relative_client) is None


def test_an_end_date_that_passed_ends_the_access(relative_client: FlaskClient, session: Session,
                                                 world: World, plan_only: Delegation) -> None:
    assert relative_client.get("/plan/").status_code == 200
    plan_only.valid_until = stockholm_today() - timedelta(days=1)
    session.add(plan_only)
    session.commit()
    response = relative_client.get("/plan/timeline")
    assert response.status_code == 403
    assert 'href="/choose"' in response.get_data(as_text=True)
    assert _fresh(session, Delegation, plan_only.id).status == DelegationStatus.EXPIRED
    assert _acting(relative_client) is None


def test_the_last_day_still_counts(relative_client: FlaskClient, session: Session, plan_only: Delegation) -> None:
    plan_only.valid_until = stockholm_today()
    session.add(plan_only)
    session.commit()
    assert relative_client.get("/plan/timeline").status_code == 200


def test_access_that_has_not_started_is_not_usable(relative_client: FlaskClient, session: Session,
                                                   plan_only: Delegation) -> None:
    plan_only.valid_from = stockholm_today() + timedelta(days=1)
    session.add(plan_only)
    session.commit()
    response = relative_client.get("/plan/")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/choose")


def test_a_forged_session_cannot_act_for_someone_else(relative_client: FlaskClient, session: Session,
                                                      world: World) -> None:
    other = _relative_user(session, name="Olle Ek", email="olle@example.se")
    theirs = _delegation(session, world.patient, other, scopes=ALL_SCOPES)
    with relative_client.session_transaction() as stored:
        stored["acting_for"] = theirs.id
    response = relative_client.get("/plan/timeline")
    assert response.status_code == 403
    assert world.item.title not in response.get_data(as_text=True)
    assert _acting(relative_client) is None
    denied = _events(session, AccessEvent.actor_user_id == world.relative.id, AccessEvent.action == "denied")
    assert len(denied) == 1


def test_the_patient_cannot_touch_another_patients_delegation(patient_client: FlaskClient, session: Session,
                                                              world: World) -> None:
    karl = factories.patient(session, name="Karl Holm")
    theirs = _delegation(session, karl, world.relative, scopes="plan")
    until = (stockholm_today() + timedelta(days=100)).isoformat()
    changed = _post(patient_client, f"/plan/relatives/{theirs.id}", {"scopes": ["plan", "forms"], "valid_until": until})
    revoked = _post(patient_client, f"/plan/relatives/{theirs.id}/revoke")
    assert changed.status_code == 404
    assert revoked.status_code == 404
    found = _fresh(session, Delegation, theirs.id)
    assert found.scopes == "plan"
    assert found.status == DelegationStatus.ACTIVE
    denied = _events(session, AccessEvent.actor_user_id == world.patient.user_id, AccessEvent.action == "denied",
                     AccessEvent.resource == f"delegation:{theirs.id}")
    assert len(denied) == 2
    missing = _post(patient_client, "/plan/relatives/999999/revoke")
    assert missing.status_code == 404


def test_the_relatives_page_does_not_list_other_patients_delegations(patient_client: FlaskClient, session: Session,
                                                                     world: World) -> None:
    karl = factories.patient(session, name="Karl Holm")
    theirs = _delegation(session, karl, _relative_user(session, name="Olle Ek", email="olle@example.se"))
    mine = _delegation(session, world.patient, world.relative)
    page = patient_client.get("/plan/relatives").get_data(as_text=True)
    assert f'id="delegation-{mine.id}"' in page
    assert f'id="delegation-{theirs.id}"' not in page
    assert "Olle Ek" not in page


# --- messages from a relative ----------------------------------------------------------------------------------------

def test_a_relatives_message_is_marked_and_reaches_the_nurse(relative_client: FlaskClient,
                                                             patient_client: FlaskClient, nurse_client: FlaskClient,
                                                             session: Session, world: World) -> None:
    delegation = _delegation(session, world.patient, world.relative, scopes="plan messages_read messages_send")
    form = _message_form(relative_client)
    response = _post(relative_client, "/plan/messages", {**form, "body": "Hej, Anna undrar över provsvaret."})
    assert response.status_code == 303
    message = session.exec(select(Message)).one()
    assert message.author_role == "relative"
    assert message.author_user_id == world.relative.id
    assert message.author_name == "Per Berg"
    assert message.plan_id == world.plan.id
    created = _events(session, AccessEvent.action == "create", AccessEvent.resource == f"message:{message.id}")
    assert [(e.actor_user_id, e.acting_for_delegation_id, e.role) for e in created] == [
        (world.relative.id, delegation.id, "relative")]
    nurse_page = nurse_client.get(f"/staff/plans/{world.plan.id}/messages").get_data(as_text=True)
    assert "Per Berg" in nurse_page
    assert "Hej, Anna undrar över provsvaret." in nurse_page
    patient_page = patient_client.get("/plan/messages").get_data(as_text=True)
    assert "Per Berg" in patient_page
    assert f'id="message-{message.id}"' in patient_page


# --- "who has looked at my care plan?" -------------------------------------------------------------------------------

def test_the_patients_log_shows_the_relatives_views(patient_client: FlaskClient, relative_client: FlaskClient,
                                                    session: Session, world: World, plan_only: Delegation) -> None:
    relative_client.get("/plan/timeline")
    relative_client.get(f"/plan/items/{world.item.id}")
    patient_client.get("/plan/timeline")
    old_day = stockholm_today() - timedelta(days=45)
    session.add(AccessEvent(at=datetime.combine(old_day, datetime.min.time().replace(hour=12), tzinfo=STOCKHOLM)
                            .astimezone(UTC), actor_user_id=world.relative.id, role="relative",
                            acting_for_delegation_id=plan_only.id, patient_id=world.patient.id, action="read",
                            resource=f"timeline:{world.plan.id}"))
    session.commit()
    response = patient_client.get("/plan/access-log")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Per Berg" in page
    assert "Anna Berg" not in page  # her own visits are not listed
    assert _list_items(page) == 1  # the relative's two reads in the last 30 days: one visit
    assert f'id="log-{stockholm_today().isoformat()}"' in page
    assert f'id="log-{old_day.isoformat()}"' not in page
    assert 'href="/plan/access-log?period=all"' in page
    everything = patient_client.get("/plan/access-log?period=all").get_data(as_text=True)
    assert _list_items(everything) == 2
    assert f'id="log-{old_day.isoformat()}"' in everything
    assert len(_events(session, AccessEvent.actor_user_id == world.patient.user_id,
                       AccessEvent.resource == "access_log")) == 2


def test_the_patients_log_shows_the_care_team(patient_client: FlaskClient,
                                                                   nurse_client: FlaskClient, session: Session,
                                                                   world: World) -> None:
    nurse_client.get(f"/staff/plans/{world.plan.id}")
    page = patient_client.get("/plan/access-log").get_data(as_text=True)
    assert "Eva Lund" in page
    assert "Onkologimottagningen" in page
    assert "mv-log__emergency" not in page


# --- guardians of children -------------------------------------------------------------------------------------------

def test_a_guardian_of_a_child_under_13_may_do_almost_everything(app: Flask, session: Session, world: World) -> None:
    child, child_plan = _child_plan(session, world, _birth_turning_13_on(stockholm_today() + timedelta(days=200)))
    guardian = _relative_user(session, name="Lena Lund", email="lena@example.se")
    delegation = _guardian(session, child, guardian)
    client = _signed_in(app, guardian.email)
    for path in ("/plan/", "/plan/timeline", "/plan/messages", "/plan/forms", "/plan/reading", "/plan/access-log",
                 "/plan/what-matters", "/plan/items/new"):
        assert client.get(path).status_code == 200, path
    for path in ("/plan/settings", "/plan/relatives"):
        assert client.get(path).status_code == 403, path
    sent = _post(client, "/plan/messages", {**_message_form(client), "body": "Lisa har feber."})
    assert sent.status_code == 303
    message = session.exec(select(Message)).one()
    assert message.plan_id == child_plan.id
    assert message.author_role == "relative"
    written = _post(client, "/plan/what-matters", {"what_matters": "Lisa vill ha sin nalle med."})
    assert written.status_code == 303
    assert _post(client, "/plan/relatives", _invite_data()).status_code == 403
    assert count_rows(session, Delegation) == 1
    reads = _events(session, AccessEvent.actor_user_id == guardian.id, AccessEvent.action == "read")
    assert reads
    assert {(e.acting_for_delegation_id, e.patient_id, e.role) for e in reads} == {
        (delegation.id, child.id, "relative")}


def test_a_guardian_may_answer_the_reading(app: Flask, session: Session, world: World, tmp_path: Path) -> None:
    write_diagnosis(tmp_path / "pack", key="leukemi", articles={
        "trotthet": ("treatment", "Trötthet under behandlingen", "Tiredness during treatment")})
    results = content.import_packs(session, load_pack(tmp_path / "pack")[0], publish=True)
    template = content.template_version(session, "leukemi", results[0].version)
    child = _child(session, _birth_turning_13_on(stockholm_today() + timedelta(days=300)))
    child_plan = builder.create_plan(session, child, template, world.nurse, session.get(User, world.nurse.user_id),
                                     stockholm_today())
    child_plan.shared_at = child_plan.created_at  # shared with the patient's side
    article = session.exec(select(Article).where(Article.template_id == template.id)).one()
    plan_reading.set_readings(session, child_plan, session.get(User, world.nurse.user_id), {article.id})
    session.commit()
    guardian = _relative_user(session, name="Lena Lund", email="lena@example.se")
    _guardian(session, child, guardian)
    client = _signed_in(app, guardian.email)
    assert client.get(f"/plan/reading/{article.id}").status_code == 200
    response = _post(client, f"/plan/reading/{article.id}", {"response": "understood"})
    assert response.status_code == 303
    session.commit()
    session.expire_all()
    reading = session.exec(select(PlanReading).where(PlanReading.plan_id == child_plan.id)).one()
    assert reading.response == ReadingResponse.UNDERSTOOD
    relative = _relative_user(session, name="Moster Mia", email="mia@example.se")
    _delegation(session, child, relative, scopes="plan")
    aunt = _signed_in(app, relative.email)
    assert aunt.get(f"/plan/reading/{article.id}").status_code == 200
    assert _post(aunt, f"/plan/reading/{article.id}", {"response": "understood"}).status_code == 403


def test_a_guardian_has_access_the_day_before_the_13th_birthday(app: Flask, session: Session, world: World) -> None:
    child, _plan = _child_plan(session, world, _birth_turning_13_on(stockholm_today() + timedelta(days=1)))
    guardian = _relative_user(session, name="Lena Lund", email="lena@example.se")
    delegation = _guardian(session, child, guardian)
    assert delegation.valid_until == stockholm_today()
    client = _signed_in(app, guardian.email)
    assert client.get("/plan/").status_code == 200
    assert client.get("/plan/messages").status_code == 200


def test_the_guardians_access_ends_when_the_child_turns_13(app: Flask, session: Session, world: World) -> None:
    child, _plan = _child_plan(session, world, _birth_turning_13_on(stockholm_today() + timedelta(days=1)))
    guardian = _relative_user(session, name="Lena Lund", email="lena@example.se")
    # An end date after the birthday, so that the birthday rule alone ends the access.
    delegation = _guardian(session, child, guardian, valid_until=stockholm_today() + timedelta(days=60))
    client = _signed_in(app, guardian.email)
    assert client.get("/plan/timeline").status_code == 200
    child.birth_date = _birth_turning_13_on(stockholm_today())  # the clock moved on: the birthday is today
    session.add(child)
    session.commit()
    response = client.get("/plan/timeline")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'href="/choose"' in page
    assert 'class="mv-acting-banner' not in page
    assert "Cytostatika" not in page
    assert _acting(client) is None
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.EXPIRED
    denied = _events(session, AccessEvent.actor_user_id == guardian.id, AccessEvent.action == "denied")
    assert [(e.acting_for_delegation_id, e.patient_id) for e in denied] == [(delegation.id, child.id)]
    again = client.get("/plan/")
    assert again.status_code in (302, 303)
    assert again.headers["Location"].startswith("/choose")


def test_a_guardian_signing_in_on_the_13th_birthday_sees_nobody(app: Flask, session: Session, world: World) -> None:
    child, _plan = _child_plan(session, world, _birth_turning_13_on(stockholm_today()))
    guardian = _relative_user(session, name="Lena Lund", email="lena@example.se")
    delegation = _guardian(session, child, guardian, valid_until=stockholm_today() + timedelta(days=60))
    client = _signed_in(app, guardian.email)
    response = client.get("/plan/")
    assert response.status_code in (302, 303)
    page = client.get("/choose").get_data(as_text=True)
    assert f'value="{delegation.id}"' not in page
    assert "Lisa Lund" not in page


def test_the_patient_cannot_change_a_guardians_access(patient_client: FlaskClient, session: Session,
                                                      world: World) -> None:
    delegation = _delegation(session, world.patient, world.relative, scopes=ALL_SCOPES, relation=Relation.GUARDIAN)
    response = _post(patient_client, f"/plan/relatives/{delegation.id}",
                     {"scopes": ["plan"], "valid_until": (stockholm_today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 422
    assert _fresh(session, Delegation, delegation.id).scopes == ALL_SCOPES


# --- whose care plan -------------------------------------------------------------------------------------------------

def test_a_patient_who_is_also_a_relative_chooses(app: Flask, session: Session, world: World) -> None:
    karl, karl_plan, _nurse = factories.patient_with_plan(session, items=1)
    karl_user = session.get(User, karl.user_id)
    bo, _bo_plan, _bo_nurse = factories.patient_with_plan(session, items=1)
    bo.name = "Bo Ek"
    session.add(bo)
    session.commit()
    for_anna = _delegation(session, world.patient, karl_user, scopes="plan")
    for_bo = _delegation(session, bo, karl_user, scopes="plan messages_read")
    client = _signed_in(app, karl.personal_id)
    own = client.get("/plan/")
    assert own.status_code == 200
    assert 'class="mv-acting-banner' not in own.get_data(as_text=True)
    page = client.get("/choose").get_data(as_text=True)
    assert 'value="own"' in page
    assert f'value="{for_anna.id}"' in page
    assert f'value="{for_bo.id}"' in page
    assert page.index("Anna Berg") < page.index("Bo Ek")
    chosen = _post(client, "/choose", {"choice": str(for_anna.id)}, page="/accessibility")
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == "/plan/"
    acting = client.get("/plan/").get_data(as_text=True)
    assert 'class="mv-acting-banner' in acting
    assert 'href="/choose"' in acting  # "My own" and two others to switch between
    assert client.get("/plan/messages").status_code == 403  # Anna shares only the plan
    assert client.get("/plan/settings").status_code == 403  # not even Karl's own settings while acting
    reads = _events(session, AccessEvent.actor_user_id == karl.user_id, AccessEvent.action == "read",
                    AccessEvent.patient_id == world.patient.id)
    assert [(e.acting_for_delegation_id, e.role) for e in reads] == [(for_anna.id, "relative")]
    back = _post(client, "/choose", {"choice": "own"}, page="/accessibility")
    assert back.status_code == 303
    mine = client.get("/plan/")
    assert 'class="mv-acting-banner' not in mine.get_data(as_text=True)
    assert client.get("/plan/messages").status_code == 200
    own_reads = _events(session, AccessEvent.actor_user_id == karl.user_id, AccessEvent.patient_id == karl.id,
                        AccessEvent.resource == f"plan:{karl_plan.id}")
    assert {(e.acting_for_delegation_id, e.role) for e in own_reads} == {(None, "patient")}


def test_a_relative_of_several_people_is_asked_whose_plan(relative_client: FlaskClient, session: Session,
                                                          world: World) -> None:
    first = _delegation(session, world.patient, world.relative)
    karl, _karl_plan, _nurse = factories.patient_with_plan(session, items=1)
    second = _delegation(session, karl, world.relative, scopes="plan messages_read")
    response = relative_client.get("/plan/timeline")
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/choose?next=/plan/timeline"
    page = relative_client.get("/choose?next=/plan/timeline").get_data(as_text=True)
    assert 'value="own"' not in page
    assert f'value="{first.id}"' in page
    assert f'value="{second.id}"' in page
    chosen = _post(relative_client, "/choose", {"choice": str(second.id), "next": "/plan/timeline"},
                   page="/accessibility")
    assert chosen.headers["Location"] == "/plan/timeline"
    assert relative_client.get("/plan/messages").status_code == 200
    assert _acting(relative_client) == second.id


@pytest.mark.parametrize("choice", ["own", "999999", "abc", ""])
def test_choosing_someone_one_may_not_act_for_is_refused(relative_client: FlaskClient, session: Session,
                                                         world: World, plan_only: Delegation, choice: str) -> None:
    response = _post(relative_client, "/choose", {"choice": choice}, page="/accessibility")
    assert response.status_code == 422
    assert _acting(relative_client) is None


def test_choosing_someone_elses_delegation_is_refused(relative_client: FlaskClient, session: Session,
                                                      world: World, plan_only: Delegation) -> None:
    theirs = _delegation(session, world.patient, _relative_user(session, name="Olle Ek", email="olle@example.se"),
                         scopes=ALL_SCOPES)
    response = _post(relative_client, "/choose", {"choice": str(theirs.id)}, page="/accessibility")
    assert response.status_code == 422
    assert _acting(relative_client) is None


@pytest.mark.parametrize("target", ["https://evil.example/plan", "//evil.example/plan", "/staff/", "/login"])
def test_choose_goes_only_to_patient_pages(relative_client: FlaskClient, plan_only: Delegation, target: str) -> None:
    response = _post(relative_client, "/choose", {"choice": str(plan_only.id), "next": target}, page="/accessibility")
    assert response.status_code == 303
    assert response.headers["Location"] == "/plan/"


def test_a_relative_without_anyone_is_sent_to_choose(relative_client: FlaskClient) -> None:
    response = relative_client.get("/plan/")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/choose")
    page = relative_client.get("/choose")
    assert page.status_code == 200
    assert 'name="choice"' not in page.get_data(as_text=True)


def test_staff_cannot_use_the_patient_pages(nurse_client: FlaskClient) -> None:
    assert nurse_client.get("/plan/").status_code == 403


# --- staff register guardians ----------------------------------------------------------------------------------------

def test_staff_register_a_guardian_for_a_child(nurse_client: FlaskClient, app: Flask, session: Session,
                                               world: World) -> None:
    birth = _birth_turning_13_on(stockholm_today() + timedelta(days=400))
    child, child_plan = _child_plan(session, world, birth)
    page = nurse_client.get(f"/staff/plans/{child_plan.id}/guardians")
    assert page.status_code == 200
    assert f'action="/staff/plans/{child_plan.id}/guardians"' in page.get_data(as_text=True)
    response = _staff_post(nurse_client, f"/staff/plans/{child_plan.id}/guardians",
                           {"name": "Lena Lund", "email": "Lena@Example.se"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{child_plan.id}/guardians?done=1"
    delegation = session.exec(select(Delegation)).one()
    assert delegation.patient_id == child.id
    assert delegation.relation == Relation.GUARDIAN
    assert delegation.scopes == ALL_SCOPES
    assert delegation.status == DelegationStatus.INVITED
    assert delegation.valid_until == acting.thirteenth_birthday(birth) - timedelta(days=1)
    assert delegation.invite_email == "lena@example.se"
    assert delegation.created_by_user_id == world.nurse.user_id
    assert session.exec(select(Notification)).one().to_address == "lena@example.se"
    created = _events(session, AccessEvent.action == "create", AccessEvent.resource == f"delegation:{delegation.id}")
    assert [(e.actor_user_id, e.unit_id, e.patient_id) for e in created] == [
        (world.nurse.user_id, world.unit.id, child.id)]
    listing = nurse_client.get(f"/staff/plans/{child_plan.id}/guardians").get_data(as_text=True)
    assert "Lena Lund" in listing
    # The guardian accepts with a new account and may do everything the child's plan offers.
    token = _latest_token(session)
    visitor = app.test_client()
    accepted = _make_account(visitor, session, token, name="Lena Lund", email="lena@example.se")
    assert accepted.status_code == 303
    assert visitor.get("/plan/forms").status_code == 200
    assert visitor.get("/plan/access-log").status_code == 200


@pytest.mark.parametrize("age", ["thirteen_today", "adult"])
def test_staff_cannot_register_a_guardian_for_a_patient_of_13(nurse_client: FlaskClient, session: Session,
                                                              world: World, age: str) -> None:
    birth = _birth_turning_13_on(stockholm_today()) if age == "thirteen_today" else date(1980, 5, 5)
    child, child_plan = _child_plan(session, world, birth)
    page = nurse_client.get(f"/staff/plans/{child_plan.id}/guardians").get_data(as_text=True)
    assert 'name="email"' not in page
    response = _staff_post(nurse_client, f"/staff/plans/{child_plan.id}/guardians",
                           {"name": "Lena Lund", "email": "lena@example.se"})
    assert response.status_code == 422
    assert count_rows(session, Delegation) == 0
    assert count_rows(session, Notification) == 0
    refused = _events(session, AccessEvent.action == "denied", AccessEvent.resource == "delegation:new")
    assert [(event.patient_id, event.unit_id) for event in refused] == [(child.id, world.unit.id)]


def test_staff_guardian_form_errors(nurse_client: FlaskClient, session: Session, world: World) -> None:
    _child_row, child_plan = _child_plan(session, world, _birth_turning_13_on(stockholm_today() + timedelta(days=100)))
    response = _staff_post(nurse_client, f"/staff/plans/{child_plan.id}/guardians", {"name": "", "email": "lena"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="lena"' in page
    assert count_rows(session, Delegation) == 0


def test_guardians_page_for_other_units(app: Flask, session: Session, world: World) -> None:
    _child_row, child_plan = _child_plan(session, world, _birth_turning_13_on(stockholm_today() + timedelta(days=100)))
    other_unit, other_nurse = _second_unit(session)
    outsider = _signed_in(app, session.get(User, other_nurse.user_id).email)
    assert outsider.get(f"/staff/plans/{child_plan.id}/guardians").status_code == 404
    assert _staff_post(outsider, f"/staff/plans/{child_plan.id}/guardians",
                       {"name": "Lena Lund", "email": "lena@example.se"}).status_code == 404
    session.add(CareTeamMembership(plan_id=child_plan.id, unit_id=other_unit.id, role=TeamRole.PARTICIPATING))
    session.commit()
    assert outsider.get(f"/staff/plans/{child_plan.id}/guardians").status_code == 403
    assert count_rows(session, Delegation) == 0


# --- emergency access ------------------------------------------------------------------------------------------------

def _emergency(client: FlaskClient, patient: Patient, reason: str = "Patienten sökte akut med feber och frossa.",
               hours: str = "2"):  # noqa: ANN202
    return _staff_post(client, "/staff/emergency",
                       {"personal_id": patient.personal_id, "confirm": "yes", "reason": reason, "hours": hours})


@pytest.fixture
def outsider(app: Flask, session: Session, world: World) -> tuple[FlaskClient, StaffMember]:
    """Karin, a nurse at the emergency unit, which is not in Anna's care team."""
    _where, nurse = _second_unit(session)
    return _signed_in(app, session.get(User, nurse.user_id).email), nurse


def test_emergency_access_opens_the_plan_for_reading_only(session: Session, world: World,
                                                          outsider: tuple[FlaskClient, StaffMember]) -> None:
    client, nurse = outsider
    assert client.get(f"/staff/plans/{world.plan.id}").status_code == 404
    assert [e.emergency for e in _events(session, AccessEvent.actor_user_id == nurse.user_id,
                                         AccessEvent.action == "denied")] == [False]
    form = _staff_post(client, "/staff/emergency", {"personal_id": world.patient.personal_id})
    assert form.status_code == 200
    assert 'name="reason"' in form.get_data(as_text=True)
    assert count_rows(session, EmergencyAccess) == 0
    response = _emergency(client, world.patient, hours="2")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}"
    access = session.exec(select(EmergencyAccess)).one()
    assert access.staff_user_id == nurse.user_id
    assert access.plan_id == world.plan.id
    assert access.patient_id == world.patient.id
    assert access.unit_id == nurse.unit_id
    assert access.reason == "Patienten sökte akut med feber och frossa."
    ends = _utc(access.ends_at)
    assert utcnow() + timedelta(hours=1, minutes=58) < ends < utcnow() + timedelta(hours=2, minutes=1)
    plan_page = client.get(f"/staff/plans/{world.plan.id}")
    assert plan_page.status_code == 200
    assert world.item.title in plan_page.get_data(as_text=True)
    events = _events(session, AccessEvent.actor_user_id == nurse.user_id, AccessEvent.patient_id == world.patient.id,
                     AccessEvent.action.in_(["create", "read"]))
    flagged = {(e.action, e.resource): e.emergency for e in events}
    assert flagged[("create", f"emergency:{access.id}")] is True
    assert flagged[("read", f"plan:{world.plan.id}")] is True
    assert client.get(f"/staff/plans/{world.plan.id}/messages").status_code == 200
    # Reading only: every change is refused and logged as an emergency event.
    denied_before = count_rows(session, AccessEvent, AccessEvent.action == "denied")
    assert _staff_post(client, f"/staff/plans/{world.plan.id}/messages",
                       {"body": "Hej", "client_token": "t" * 20}).status_code == 403
    assert _staff_post(client, f"/staff/plans/{world.plan.id}/details", {"phase": "treatment"}).status_code == 403
    assert count_rows(session, Message) == 0
    denied = _events(session, AccessEvent.actor_user_id == nurse.user_id, AccessEvent.action == "denied")
    assert len(denied) == denied_before + 2
    assert [(e.emergency, e.patient_id, e.unit_id) for e in denied[-2:]] == [
        (True, world.patient.id, nurse.unit_id)] * 2
    assert client.get(f"/staff/plans/{world.plan.id}/access-log").status_code == 403
    assert client.get(f"/staff/plans/{world.plan.id}/guardians").status_code == 403


def test_outside_the_care_team_a_search_shows_no_diagnosis(app: Flask, session: Session, world: World,
                                                            outsider: tuple[FlaskClient, StaffMember]) -> None:
    """Least information: name and masked number only, until emergency access is started with a reason."""
    client, _nurse = outsider
    page = _staff_post(client, "/staff/find", {"q": world.patient.personal_id}).get_data(as_text=True)
    assert world.patient.name in page
    assert f"{world.patient.personal_id[:8]}-****" in page
    assert "Bröstcancer" not in page
    assert "Nödåtkomst" in page
    own = _signed_in(app, session.get(User, world.nurse.user_id).email)
    assert "Bröstcancer" in _staff_post(own, "/staff/find", {"q": world.patient.personal_id}).get_data(as_text=True)


def test_the_emergency_reason_is_in_every_log(app: Flask, session: Session, world: World,
                                             outsider: tuple[FlaskClient, StaffMember]) -> None:
    """The patient, the responsible unit's review and its CSV all show why the nurse opened the plan."""
    client, _nurse = outsider
    reason = "Patienten kom in medvetslös till akuten."
    assert _emergency(client, world.patient, reason=reason).status_code == 303
    assert client.get(f"/staff/plans/{world.plan.id}").status_code == 200
    patient_log = _signed_in(app, world.patient.personal_id).get("/plan/access-log").get_data(as_text=True)
    assert patient_log.count(f"Skäl som angavs: {reason}") == 1  # starting it and reading the plan: one visit
    responsible = _signed_in(app, session.get(User, world.nurse.user_id).email)
    review = responsible.get(f"/staff/plans/{world.plan.id}/access-log").get_data(as_text=True)
    assert f"Skäl som angavs: {reason}" in review
    rows = responsible.get(f"/staff/plans/{world.plan.id}/access-log?format=csv").get_data(as_text=True).splitlines()
    assert rows[0].split(",")[7] == "emergency_reason"
    assert any(reason in row and ",yes," in row for row in rows[1:])
    assert all(reason not in row for row in rows[1:] if ",no," in row)


@pytest.mark.parametrize(("reason", "hours"), [
    ("kort", "2"),
    ("         x         ", "2"),
    ("", "2"),
    ("x" * 1001, "2"),
    ("Patienten sökte akut med feber.", "3"),
    ("Patienten sökte akut med feber.", "24"),
    ("Patienten sökte akut med feber.", ""),
    ("Patienten sökte akut med feber.", "two"),
])
def test_emergency_access_needs_a_reason_and_a_listed_time(session: Session, world: World,
                                                           outsider: tuple[FlaskClient, StaffMember], reason: str,
                                                           hours: str) -> None:
    client, _nurse = outsider
    response = _emergency(client, world.patient, reason=reason, hours=hours)
    assert response.status_code == 422
    assert count_rows(session, EmergencyAccess) == 0
    assert client.get(f"/staff/plans/{world.plan.id}").status_code == 404


@pytest.mark.parametrize("hours", ["1", "2", "4", "8"])
def test_emergency_access_for_each_listed_time(session: Session, world: World,
                                               outsider: tuple[FlaskClient, StaffMember], hours: str) -> None:
    client, _nurse = outsider
    assert _emergency(client, world.patient, reason="Tio tecken", hours=hours).status_code == 303
    access = session.exec(select(EmergencyAccess)).one()
    length = _utc(access.ends_at) - _utc(access.starts_at)
    assert abs(length - timedelta(hours=int(hours))) < timedelta(seconds=5)


def test_expired_emergency_access_gives_404_again(session: Session, world: World,
                                                  outsider: tuple[FlaskClient, StaffMember]) -> None:
    client, _nurse = outsider
    _emergency(client, world.patient)
    assert client.get(f"/staff/plans/{world.plan.id}").status_code == 200
    access = session.exec(select(EmergencyAccess)).one()
    access.ends_at = utcnow() - timedelta(minutes=1)
    session.add(access)
    session.commit()
    assert client.get(f"/staff/plans/{world.plan.id}").status_code == 404


def test_emergency_access_for_an_unknown_person(session: Session, world: World,
                                                outsider: tuple[FlaskClient, StaffMember]) -> None:
    client, _nurse = outsider
    response = _staff_post(client, "/staff/emergency", {"personal_id": "191212121212", "confirm": "yes",
                                                        "reason": "Patienten sökte akut.", "hours": "2"})
    assert response.status_code == 404
    assert _staff_post(client, "/staff/emergency", {"personal_id": "nonsense"}).status_code == 404
    assert count_rows(session, EmergencyAccess) == 0


def test_the_care_team_needs_no_emergency_access(nurse_client: FlaskClient, session: Session, world: World) -> None:
    response = _emergency(nurse_client, world.patient)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}"
    assert count_rows(session, EmergencyAccess) == 0


def test_emergency_access_is_marked_in_the_patients_log(patient_client: FlaskClient, session: Session,
                                                        world: World,
                                                        outsider: tuple[FlaskClient, StaffMember]) -> None:
    client, _nurse = outsider
    _emergency(client, world.patient)
    client.get(f"/staff/plans/{world.plan.id}")
    page = patient_client.get("/plan/access-log").get_data(as_text=True)
    assert "mv-log__emergency" in page
    assert "Karin Berg" in page
    assert "Akutmottagningen" in page


# --- the staff's access log ------------------------------------------------------------------------------------------

def test_staff_access_log_lists_events(nurse_client: FlaskClient, relative_client: FlaskClient, session: Session,
                                       world: World, plan_only: Delegation) -> None:
    relative_client.get("/plan/timeline")
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/access-log")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Per Berg" in page
    assert f'href="/staff/plans/{world.plan.id}/access-log?format=csv"' in page
    assert len(_events(session, AccessEvent.actor_user_id == world.nurse.user_id,
                       AccessEvent.resource == f"access_log:{world.plan.id}")) == 1


def test_staff_access_log_as_csv(nurse_client: FlaskClient, relative_client: FlaskClient, session: Session,
                                 world: World, plan_only: Delegation) -> None:
    relative_client.get("/plan/timeline")
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/access-log?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="access-log-plan-{world.plan.id}.csv"'
    rows = _csv_rows(response)
    assert rows[0] == CSV_HEADER
    relative_rows = [row for row in rows[1:] if row[1] == "Per Berg"]
    assert [row[2:] for row in relative_rows] == [
        ["relative", "", str(plan_only.id), "partner", "no", "", "read", f"timeline:{world.plan.id}"]]


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_that_look_like_formulas_are_defused(nurse_client: FlaskClient, app: Flask, session: Session,
                                                       world: World, name: str) -> None:
    mallory = _relative_user(session, name=name, email="mallory@example.se")
    _delegation(session, world.patient, mallory)
    _signed_in(app, mallory.email).get("/plan/timeline")
    rows = _csv_rows(nurse_client.get(f"/staff/plans/{world.plan.id}/access-log?format=csv"))
    actors = [row[1] for row in rows[1:]]
    assert f"'{name}" in actors
    assert name not in actors
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_staff_access_log_only_for_the_responsible_unit(app: Flask, session: Session, world: World) -> None:
    other_unit, other_nurse = _second_unit(session)
    outsider = _signed_in(app, session.get(User, other_nurse.user_id).email)
    assert outsider.get(f"/staff/plans/{world.plan.id}/access-log").status_code == 404
    assert outsider.get(f"/staff/plans/{world.plan.id}/access-log?format=csv").status_code == 404
    session.add(CareTeamMembership(plan_id=world.plan.id, unit_id=other_unit.id, role=TeamRole.PARTICIPATING))
    session.commit()
    assert outsider.get(f"/staff/plans/{world.plan.id}/access-log?format=csv").status_code == 403


def test_relatives_and_patients_cannot_read_the_staff_log(relative_client: FlaskClient, patient_client: FlaskClient,
                                                          world: World, plan_only: Delegation) -> None:
    for client in (relative_client, patient_client):
        assert client.get(f"/staff/plans/{world.plan.id}/access-log?format=csv").status_code in (302, 303, 403)


def test_each_invitation_link_is_new_and_only_its_hash_is_stored(session: Session, world: World) -> None:
    first, first_token = _invitation(session, world)
    second, second_token = _invitation(session, world)
    assert first_token != second_token
    assert _fresh(session, Delegation, first.id).invite_token_hash == ds.hash_token(first_token)
    assert _fresh(session, Delegation, second.id).invite_token_hash == ds.hash_token(second_token)


# --- known bugs ------------------------------------------------------------------------------------------------------

def test_a_relative_whose_access_ended_can_accept_a_new_invitation(relative_client: FlaskClient, session: Session,
                                                                   world: World) -> None:
    _delegation(session, world.patient, world.relative, valid_from=stockholm_today() - timedelta(days=100),
                valid_until=stockholm_today() - timedelta(days=1))
    delegation, token = _invitation(session, world)
    _open(relative_client, token)
    assert relative_client.get("/invite").status_code == 200
    assert _post(relative_client, "/invite/accept", page="/accessibility").status_code == 303
    assert _fresh(session, Delegation, delegation.id).status == DelegationStatus.ACTIVE


def test_a_relative_without_the_plan_scope_lands_on_a_page_they_may_see(app: Flask, session: Session,
                                                                        world: World) -> None:
    _invitation(session, world, scopes=("messages_read",))
    visitor = app.test_client()
    accepted = _make_account(visitor, session, _latest_token(session))
    assert accepted.status_code == 303
    assert visitor.get(accepted.headers["Location"]).status_code == 200


def test_choosing_someone_elses_delegation_is_logged(relative_client: FlaskClient, session: Session, world: World,
                                                     plan_only: Delegation) -> None:
    theirs = _delegation(session, world.patient, _relative_user(session, name="Olle Ek", email="olle@example.se"),
                         scopes=ALL_SCOPES)
    assert _post(relative_client, "/choose", {"choice": str(theirs.id)}, page="/accessibility").status_code == 422
    assert _events(session, AccessEvent.actor_user_id == world.relative.id, AccessEvent.action == "denied")


def test_emergency_access_to_a_patient_without_a_plan_is_logged(session: Session, world: World,
                                                                outsider: tuple[FlaskClient, StaffMember]) -> None:
    client, nurse = outsider
    lone = factories.patient(session, name="Nils Nyström")
    assert _emergency(client, lone).status_code == 404
    assert _events(session, AccessEvent.actor_user_id == nurse.user_id, AccessEvent.action == "denied")
