"""The administrator's pages: units and staff of their own care provider only, invitations that work once, and an
account turned off that ends its sessions at once. Every change is in the access log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal import db
from portal.accounts.services import verify_password
from portal.models import (
    AccessEvent,
    AccountInvitation,
    CarePlan,
    CareUnit,
    Notification,
    Role,
    SecurityEvent,
    StaffMember,
    User,
)
from portal.notifications import mailer
from portal.notifications.services import send_due
from portal.organisation import services
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as, count_rows, csrf_from

NEW_UNIT = {"name": "Strålbehandlingen", "phone": "010-222 33 44", "opening_hours": "Mån–fre 9–15",
            "reply_days": "3"}


def _admin(session: Session, at: CareUnit) -> User:
    admin = factories.user(session, role=Role.ADMIN)
    admin.provider_id = at.provider_id
    session.add(admin)
    session.commit()
    return admin


@pytest.fixture
def own(session: Session) -> CareUnit:
    return factories.unit(session, name="Onkologimottagningen")


@pytest.fixture
def other(session: Session) -> CareUnit:
    """A unit of another care provider."""
    return factories.unit(session, name="Hudmottagningen", provider="Hudkliniken AB")


@pytest.fixture
def admin(app: Flask, session: Session, own: CareUnit) -> FlaskClient:
    return client_as(app, _admin(session, own))


def test_an_administrator_starts_on_the_units_of_their_provider(admin: FlaskClient) -> None:
    response = admin.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/units"


def _post(client: FlaskClient, page: str, path: str, data: dict[str, str], **headers: str):  # noqa: ANN202
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


def _events(session: Session, resource: str) -> list[AccessEvent]:
    session.commit()
    session.expire_all()
    found = select(AccessEvent).where(AccessEvent.resource == resource).order_by(AccessEvent.id)  # PostgreSQL: no order
    return list(session.exec(found).all())  # is kept without one (rows go where deleted ones were)


# --- units -------------------------------------------------------------------------------------------------------

def test_unit_list_shows_only_the_own_providers_units(admin: FlaskClient, own: CareUnit, other: CareUnit) -> None:
    page = admin.get("/admin/units").get_data(as_text=True)
    assert own.name in page
    assert other.name not in page
    fragment = admin.get("/admin/units", headers=HTMX_HEADERS)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert own.name in fragment.get_data(as_text=True)


def test_unit_list_is_paged_by_name_after_the_last_unit_shown(app: Flask, session: Session, own: CareUnit,
                                                             admin: FlaskClient) -> None:
    for n in range(services.PAGE):
        session.add(CareUnit(provider_id=own.provider_id, name=f"Enhet {n:02d}", phone="010-1"))
    session.commit()
    first = admin.get("/admin/units").get_data(as_text=True)
    assert "Enhet 00" in first
    assert own.name not in first
    after = re.search(r'href="/admin/units\?after=(\d+)"', first).group(1)
    more = admin.get(f"/admin/units?after={after}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert own.name in more
    assert "Enhet 00" not in more
    assert 'hx-swap-oob="beforeend:#unit-rows"' in more
    assert admin.get("/admin/units?after=abc").status_code == 200  # a broken cursor: the first page


def test_adding_a_unit_saves_it_for_the_own_provider_and_logs_it(admin: FlaskClient, session: Session,
                                                                 own: CareUnit) -> None:
    response = _post(admin, "/admin/units/new", "/admin/units/new", NEW_UNIT)
    assert response.status_code == 303
    unit = session.exec(select(CareUnit).where(CareUnit.name == NEW_UNIT["name"])).one()
    assert (unit.provider_id, unit.phone, unit.opening_hours, unit.reply_days) == (
        own.provider_id, "010-222 33 44", "Mån–fre 9–15", 3)
    assert [e.action for e in _events(session, f"care_unit:{unit.id}")] == ["create"]
    assert NEW_UNIT["name"] in admin.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Skriv ett namn"),
    ("phone", "ring mig", "Skriv ett telefonnummer"),
    ("reply_days", "tre", "Skriv ett antal dagar"),
    ("reply_days", "99999999999999999999", "Skriv ett antal dagar"),
    ("opening_hours", "x" * 300, "Skriv en kortare text"),
])
def test_a_refused_unit_form_says_why_and_keeps_what_was_typed(admin: FlaskClient, session: Session, field: str,
                                                               value: str, message: str) -> None:
    data = {**NEW_UNIT, field: value, "name": NEW_UNIT["name"] + " ny" if field != "name" else ""}
    response = _post(admin, "/admin/units/new", "/admin/units/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="010-222 33 44"' in page or field == "phone"
    assert count_rows(session, CareUnit, CareUnit.name.startswith(NEW_UNIT["name"])) == 0


def test_changing_a_unit_is_saved_and_logged(admin: FlaskClient, session: Session, own: CareUnit) -> None:
    page = admin.get(f"/admin/units/{own.id}").get_data(as_text=True)
    assert own.name in page
    response = _post(admin, f"/admin/units/{own.id}", f"/admin/units/{own.id}",
                     {**NEW_UNIT, "name": "Onkologen", "reply_days": "1"})
    assert response.status_code == 303
    session.refresh(own)
    assert (own.name, own.reply_days) == ("Onkologen", 1)
    assert [e.action for e in _events(session, f"care_unit:{own.id}")] == ["read", "read", "update"]


def test_another_providers_unit_is_not_found_and_the_attempt_is_logged(admin: FlaskClient, session: Session,
                                                                     other: CareUnit) -> None:
    assert admin.get(f"/admin/units/{other.id}").status_code == 404
    response = _post(admin, "/admin/units/new", f"/admin/units/{other.id}", {**NEW_UNIT, "name": "Kapad"})
    assert response.status_code == 404
    session.refresh(other)
    assert other.name == "Hudmottagningen"
    assert [e.action for e in _events(session, f"care_unit:{other.id}")] == ["denied", "denied"]


# --- accounts and invitations ------------------------------------------------------------------------------------

def _invite(admin: FlaskClient, own: CareUnit, **changes: str):  # noqa: ANN202
    data = {"name": "Nora Ny", "email": "Nora.Ny@Example.se", "role": "staff", "unit_id": str(own.id),
            "title": "Kontaktsjuksköterska", **changes}
    return _post(admin, "/admin/accounts/new", "/admin/accounts/new", data)


def _send_outbox(app: Flask) -> list[EmailMessage]:
    sent: list[EmailMessage] = []
    with app.app_context(), Session(db.get_engine(app)) as session:
        send_due(session, sent.append, datetime.now(UTC), compose=mailer.compose_new_message,
                 compose_invitation=mailer.compose_invitation)
    return sent


def _code_from_email(app: Flask) -> str:
    [email] = _send_outbox(app)
    assert email["To"] == "nora.ny@example.se"
    body = email.get_content()
    assert "Onkologimottagningen" not in body
    assert "Nora" not in body
    return re.search(r"/welcome#([0-9A-Z]{20})\b", body).group(1)


def test_inviting_a_nurse_makes_the_account_at_the_unit_and_emails_a_link(app: Flask, admin: FlaskClient,
                                                                         session: Session, own: CareUnit) -> None:
    response = _invite(admin, own)
    assert response.status_code == 303
    user = session.exec(select(User).where(User.email == "nora.ny@example.se")).one()
    assert (user.role, user.provider_id, user.is_active) == (Role.STAFF, own.provider_id, True)
    member = session.exec(select(StaffMember).where(StaffMember.user_id == user.id)).one()
    assert (member.unit_id, member.title) == (own.id, "Kontaktsjuksköterska")
    code = _code_from_email(app)
    invitation = session.exec(select(AccountInvitation)).one()
    assert invitation.token_hash != code
    assert code not in invitation.token_hash
    assert count_rows(session, Notification, Notification.payload != "") == 0  # the link is erased once sent
    assert {e.resource.split(":")[0] for e in _events(session, f"account:{user.id}")} == {"account"}
    assert session.exec(select(SecurityEvent).where(SecurityEvent.user_id == user.id)).first().kind == \
        "account_created"
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nora Ny" in page
    assert "Onkologimottagningen" in page


GOOD_PASSWORD = "ett långt lösenord"  # noqa: S105


def _choose_password(app: Flask, code: str, password: str = GOOD_PASSWORD, again: str | None = None):  # noqa: ANN202
    client = app.test_client()
    opened = _post(client, "/welcome", "/welcome/open", {"invitation_code": code})
    if opened.status_code != 303:
        return client, opened
    token = csrf_from(client.get("/welcome").get_data(as_text=True))
    return client, client.post("/welcome/password", data={"csrf_token": token, "password": password,
                                                          "password_again": password if again is None else again})


def test_the_link_sets_the_password_once(app: Flask, admin: FlaskClient, session: Session, own: CareUnit) -> None:
    _invite(admin, own)
    code = _code_from_email(app)
    client, response = _choose_password(app, code)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/welcome/done")
    assert "Logga in" in client.get("/welcome/done").get_data(as_text=True)
    user = session.exec(select(User).where(User.email == "nora.ny@example.se")).one()
    session.refresh(user)
    assert verify_password(user.password_hash, "ett långt lösenord")
    _again, second = _choose_password(app, code, "ett annat långt lösenord")
    assert second.status_code == 422
    assert "har redan använts" in second.get_data(as_text=True)
    session.refresh(user)
    assert verify_password(user.password_hash, "ett långt lösenord")


def test_an_expired_link_does_nothing(app: Flask, admin: FlaskClient, session: Session, own: CareUnit) -> None:
    _invite(admin, own)
    code = _code_from_email(app)
    invitation = session.exec(select(AccountInvitation)).one()
    invitation.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.add(invitation)
    _client, response = _choose_password(app, code)
    assert response.status_code == 422
    assert "fungerar inte längre" in response.get_data(as_text=True)
    session.refresh(invitation)
    assert invitation.used_at is None


def test_a_new_link_replaces_the_old_one(app: Flask, admin: FlaskClient, session: Session, own: CareUnit) -> None:
    _invite(admin, own)
    first = _code_from_email(app)
    user = session.exec(select(User).where(User.email == "nora.ny@example.se")).one()
    assert _post(admin, f"/admin/accounts/{user.id}", f"/admin/accounts/{user.id}/invitation", {}).status_code == 303
    second = _code_from_email(app)
    assert _choose_password(app, first)[1].status_code == 422
    assert _choose_password(app, second)[1].status_code == 303


@pytest.mark.parametrize(("password", "again", "message"), [
    ("kort", "kort", "minst 12 tecken"),
    ("ett långt lösenord", "ett annat lösenord", "samma lösenord två gånger"),
])
def test_a_refused_password_says_why_and_keeps_the_link_usable(app: Flask, admin: FlaskClient, own: CareUnit,
                                                               password: str, again: str, message: str) -> None:
    _invite(admin, own)
    code = _code_from_email(app)
    client, response = _choose_password(app, code, password, again)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    token = csrf_from(client.get("/welcome").get_data(as_text=True))
    done = client.post("/welcome/password", data={"csrf_token": token, "password": "ett långt lösenord",
                                                   "password_again": "ett långt lösenord"})
    assert done.status_code == 303


@pytest.mark.parametrize("typed", ["", "ABCDE", "x" * 500, "ABCDE-FGHJK-MNPQR-STVWX", "\u0000\u202e"])
def test_a_wrong_code_is_told_and_never_a_server_error(client: FlaskClient, typed: str) -> None:
    response = _post(client, "/welcome", "/welcome/open", {"invitation_code": typed})
    assert response.status_code == 422
    assert "Det finns ingen inbjudan med den här koden" in response.get_data(as_text=True)
    assert client.post("/welcome/password", data={"csrf_token": csrf_from(client.get("/welcome").get_data(
        as_text=True)), "password": "x" * 20, "password_again": "x" * 20}).status_code == 422


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": "inte-en-adress"}, "email", "Skriv e-postadressen"),
    ({"name": ""}, "name", "Skriv ett namn"),
    ({"role": "admin"}, "role", "Välj vad personen ska göra"),
    ({"unit_id": ""}, "unit_id", "Välj en enhet"),
    ({"title": ""}, "title", "Skriv en titel"),
])
def test_a_refused_invitation_says_why_keeps_what_was_typed_and_makes_nothing(
        admin: FlaskClient, session: Session, own: CareUnit, changes: dict[str, str], field: str,
        message: str) -> None:
    response = _invite(admin, own, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'href="#{field}"' in page
    if field != "name":
        assert 'value="Nora Ny"' in page
    assert count_rows(session, User, User.role == Role.STAFF) == 0
    assert count_rows(session, Notification) == 0


def test_an_address_with_an_account_and_another_providers_unit_are_refused(
        admin: FlaskClient, session: Session, own: CareUnit, other: CareUnit) -> None:
    factories.user(session, email="nora.ny@example.se")
    response = _invite(admin, own, unit_id=str(other.id))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Det finns redan ett konto med den här e-postadressen" in page
    assert "Välj en enhet" in page
    assert "Hudmottagningen" not in page  # another provider's units are not offered either


def test_inviting_a_content_editor_needs_no_unit(app: Flask, admin: FlaskClient, session: Session,
                                                 own: CareUnit) -> None:
    assert _invite(admin, own, role="editor", unit_id="", title="").status_code == 303
    user = session.exec(select(User).where(User.email == "nora.ny@example.se")).one()
    assert (user.role, user.provider_id) == (Role.EDITOR, own.provider_id)
    assert count_rows(session, StaffMember, StaffMember.user_id == user.id) == 0
    assert _code_from_email(app)


def test_staff_list_shows_the_own_providers_staff_and_editors_only(app: Flask, session: Session, admin: FlaskClient,
                                                                  own: CareUnit, other: CareUnit) -> None:
    factories.staff(session, own, name="Eva Egen")
    factories.staff(session, other, name="Olle Annan")
    editor = factories.user(session, role=Role.EDITOR)
    editor.name, editor.provider_id = "Elin Redaktör", own.provider_id
    session.add(editor)
    page = admin.get("/admin/accounts").get_data(as_text=True)
    assert "Eva Egen" in page
    assert "Elin Redaktör" in page
    assert "Olle Annan" not in page
    assert "Eva Egen" in admin.get("/admin/accounts", headers=HTMX_HEADERS).get_data(as_text=True)


# --- turning an account off, and work at units -------------------------------------------------------------------

def test_turning_an_account_off_signs_the_person_out_at_once(app: Flask, session: Session, admin: FlaskClient,
                                                             own: CareUnit) -> None:
    nurse = factories.staff(session, own)
    user = session.get(User, nurse.user_id)
    nurse_client = client_as(app, user)
    assert nurse_client.get("/staff/").status_code == 200
    nonce = user.session_nonce
    response = _post(admin, f"/admin/accounts/{user.id}", f"/admin/accounts/{user.id}/deactivate", {})
    assert response.status_code == 303
    assert "/login" in nurse_client.get("/staff/").headers["Location"]  # the very next request
    session.refresh(user)
    assert not user.is_active
    assert user.session_nonce != nonce
    assert [e.action for e in _events(session, f"account:{user.id}")] == ["read", "update"]
    events = session.exec(select(SecurityEvent).where(SecurityEvent.user_id == user.id)).all()
    assert [(e.kind, e.detail) for e in events] == [("account_changed", "deactivated")]
    assert "Slå på kontot igen" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _post(admin, f"/admin/accounts/{user.id}", f"/admin/accounts/{user.id}/activate", {}).status_code == 303
    session.refresh(user)
    assert user.is_active


def test_a_turned_off_account_cannot_use_its_invitation(app: Flask, admin: FlaskClient, session: Session,
                                                        own: CareUnit) -> None:
    _invite(admin, own)
    code = _code_from_email(app)
    user = session.exec(select(User).where(User.email == "nora.ny@example.se")).one()
    _post(admin, f"/admin/accounts/{user.id}", f"/admin/accounts/{user.id}/deactivate", {})
    assert _choose_password(app, code)[1].status_code == 422


@pytest.mark.parametrize("action", ["", "/deactivate", "/activate", "/invitation", "/second-factor/reset",
                                    "/memberships"])
def test_another_providers_account_is_not_found(app: Flask, session: Session, admin: FlaskClient, own: CareUnit,
                                                other: CareUnit, action: str) -> None:
    stranger = factories.staff(session, other, name="Olle Annan")
    user = session.get(User, stranger.user_id)
    path = f"/admin/accounts/{user.id}{action}"
    response = admin.get(path) if not action else _post(admin, "/admin/accounts", path,
                                                        {"unit_id": str(own.id), "title": "Läkare"})
    assert response.status_code == 404
    session.refresh(user)
    assert user.is_active
    assert count_rows(session, StaffMember, StaffMember.user_id == user.id) == 1
    assert [e.action for e in _events(session, f"account:{user.id}")] == ["denied"]


def test_adding_and_ending_work_at_a_unit(app: Flask, session: Session, admin: FlaskClient, own: CareUnit) -> None:
    second = CareUnit(provider_id=own.provider_id, name="Bröstmottagningen", phone="010-3")
    session.add(second)
    patient, plan, nurse = _plan_at(session, own)
    user = session.get(User, nurse.user_id)
    path = f"/admin/accounts/{user.id}"
    refused = _post(admin, path, f"{path}/memberships", {"unit_id": str(second.id), "title": ""})
    assert refused.status_code == 422
    assert "Skriv en titel" in refused.get_data(as_text=True)
    assert _post(admin, path, f"{path}/memberships", {"unit_id": str(second.id), "title": "Läkare"}).status_code \
        == 303
    assert count_rows(session, StaffMember, StaffMember.user_id == user.id) == 2
    nurse_client = client_as(app, user)
    assert nurse_client.get(f"/staff/plans/{plan.id}").status_code == 200
    response = _post(admin, path, f"{path}/memberships/{nurse.id}/end", {})
    assert response.status_code == 303
    assert "Arbetet på enheten är avslutat" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert nurse_client.get(f"/staff/plans/{plan.id}").status_code == 404  # no longer in the care team's unit
    session.refresh(plan)
    assert plan.contact_nurse_id is None
    changed = session.exec(select(AccessEvent).where(AccessEvent.patient_id == patient.id,
                                                     AccessEvent.action == "update")).all()
    assert [e.resource for e in changed] == [f"plan:{plan.id}"]
    assert [e.action for e in _events(session, f"staff_member:{nurse.id}")] == ["delete"]


def _plan_at(session: Session, at: CareUnit) -> tuple[object, CarePlan, StaffMember]:
    nurse = factories.staff(session, at)
    patient = factories.patient(session)
    return patient, factories.plan(session, patient, at, nurse), nurse


def test_a_membership_of_another_account_is_not_ended(app: Flask, session: Session, admin: FlaskClient,
                                                      own: CareUnit) -> None:
    first, second = factories.staff(session, own), factories.staff(session, own)
    path = f"/admin/accounts/{first.user_id}/memberships/{second.id}/end"
    assert _post(admin, f"/admin/accounts/{first.user_id}", path, {}).status_code == 404
    assert count_rows(session, StaffMember) == 2


def test_resetting_the_second_step_removes_the_app_and_ends_sessions(app: Flask, session: Session,
                                                                     admin: FlaskClient, own: CareUnit) -> None:
    nurse = factories.staff(session, own)
    user = session.get(User, nurse.user_id)
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    session.add(user)
    nurse_client = client_as(app, user)
    path = f"/admin/accounts/{user.id}"
    assert _post(admin, path, f"{path}/second-factor/reset", {}).status_code == 303
    session.refresh(user)
    assert user.totp_secret is None
    assert nurse_client.get("/staff/").status_code == 302


def test_an_admin_without_a_provider_manages_nothing(app: Flask, session: Session, own: CareUnit) -> None:
    client = client_as(app, factories.user(session, role=Role.ADMIN))
    assert "inte kopplat till en vårdgivare" in client.get("/admin/units").get_data(as_text=True)
    assert own.name not in client.get("/admin/units").get_data(as_text=True)
    assert client.get("/admin/units/new").status_code == 404
    assert client.get(f"/admin/units/{own.id}").status_code == 404


def test_account_and_unit_pages_answer_htmx_with_the_main_content_only(session: Session, admin: FlaskClient,
                                                                       own: CareUnit) -> None:
    nurse = factories.staff(session, own, name="Eva Egen")
    for path, text in ((f"/admin/accounts/{nurse.user_id}", "Eva Egen"), (f"/admin/units/{own.id}", own.name),
                       ("/admin/accounts/new", "Bjud in en person"), ("/admin/units/new", "Lägg till en enhet")):
        page, fragment = admin.get(path), admin.get(path, headers=HTMX_HEADERS)
        assert "<html" in page.get_data(as_text=True)
        assert fragment.status_code == 200
        assert "<html" not in fragment.get_data(as_text=True)
        assert text in fragment.get_data(as_text=True)


def test_a_cursor_from_another_provider_starts_the_list_afresh(session: Session, admin: FlaskClient, own: CareUnit,
                                                               other: CareUnit) -> None:
    factories.staff(session, own, name="Eva Egen")
    stranger = factories.staff(session, other, name="Olle Annan")
    page = admin.get(f"/admin/accounts?after={stranger.user_id}").get_data(as_text=True)
    assert "Eva Egen" in page
    assert "Olle Annan" not in page
    assert own.name in admin.get(f"/admin/units?after={other.id}").get_data(as_text=True)


def test_changing_a_title(session: Session, admin: FlaskClient, own: CareUnit) -> None:
    nurse = factories.staff(session, own)
    path = f"/admin/accounts/{nurse.user_id}"
    refused = _post(admin, path, f"{path}/memberships/{nurse.id}", {"title": "x" * 101})
    assert refused.status_code == 422
    assert f'href="#title-{nurse.id}"' in refused.get_data(as_text=True)
    assert "x" * 101 in refused.get_data(as_text=True)
    assert _post(admin, path, f"{path}/memberships/{nurse.id}", {"title": "Läkare"}).status_code == 303
    session.refresh(nurse)
    assert nurse.title == "Läkare"
    assert [e.action for e in _events(session, f"staff_member:{nurse.id}")] == ["update"]
