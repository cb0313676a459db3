"""The sign-in log: each sign-in (by any method, failed or not) and sign-out is written without the secret, and the
administrator reads it page by page and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Flask
from sqlmodel import Session, select

from portal.core.clock import utcnow
from portal.models import CareTeamMembership, CareUnit, Delegation, Role, SecurityEvent, User
from portal.security import sign_in_log
from portal.security.services import EventKind
from portal.security.sign_in_log import Method
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as, count_rows, post_form, sign_in

EN = {"Accept-Language": "en"}


def _admin(session: Session, of: CareUnit, email: str = "adam@example.se") -> User:
    """An administrator of the care provider that runs unit `of`."""
    admin = factories.user(session, role=Role.ADMIN, email=email)
    admin.provider_id = of.provider_id
    session.add(admin)
    session.commit()
    return admin


def _events(session: Session) -> list[SecurityEvent]:
    session.commit()
    session.expire_all()
    return list(session.exec(select(SecurityEvent).order_by(SecurityEvent.id)).all())


def test_sign_in_log_password_sign_ins_name_the_account_and_never_the_password(client, session: Session) -> None:
    patient = factories.patient(session)
    sign_in(client, patient.personal_id, "wrong-password-typed")
    sign_in(client, patient.personal_id, factories.PASSWORD)
    events = _events(session)
    failed, succeeded = [e for e in events if e.method == "password"]
    assert (failed.kind, failed.method, failed.user_id) == (EventKind.SIGN_IN_FAILED, "password", patient.user_id)
    assert (succeeded.kind, succeeded.user_id) == (EventKind.SIGN_IN_SUCCEEDED, patient.user_id)
    stored = " ".join(f"{e.account_key} {e.address_key} {e.detail}" for e in events)
    assert "wrong-password-typed" not in stored
    assert patient.personal_id not in stored
    assert "127.0.0.1" not in stored


def test_sign_in_log_unknown_account_is_logged_without_one(client, session: Session) -> None:
    sign_in(client, "nobody@example.se", "whatever")
    [event] = _events(session)
    assert event.kind == EventKind.SIGN_IN_FAILED
    assert event.user_id is None
    assert "nobody" not in event.account_key


def test_sign_in_log_sign_out_is_logged(client, session: Session) -> None:
    patient = factories.patient(session)
    sign_in(client, patient.personal_id, factories.PASSWORD)
    post_form(client, "/logout", page="/plan/")
    assert [e.kind for e in _events(session)][-1] == EventKind.SIGN_OUT


def test_sign_in_log_every_method_counts_towards_one_wait(app: Flask, session: Session) -> None:
    """A wrong code from an app counts like a wrong password: the same account key, so the same growing wait."""
    user = factories.user(session, role=Role.STAFF, email="eva@example.se")
    now = utcnow()
    key = sign_in_log.account_key_for(app.config["SECRET_KEY"], "Eva@Example.se ")
    for _ in range(5):
        sign_in_log.record_sign_in(session, method=Method.TOTP, succeeded=False, now=now, account=user,
                                   account_key=key)
    session.flush()
    kinds = [e.kind for e in session.exec(select(SecurityEvent)).all()]
    assert kinds.count(EventKind.ACCOUNT_SLOWED) == 1


def test_sign_in_log_page_lists_newest_first_and_pages_by_keyset(app: Flask, session: Session) -> None:
    unit = factories.unit(session)
    admin = _admin(session, unit)
    nurse = session.get(User, factories.staff(session, unit, email="eva@example.se").user_id)
    start = utcnow() - timedelta(hours=1)
    for minute in range(sign_in_log.PAGE_SIZE + 3):
        sign_in_log.record(session, kind=EventKind.SIGN_IN_SUCCEEDED, now=start + timedelta(minutes=minute),
                           account=nurse, method=Method.EID)
    sign_in_log.record(session, kind=EventKind.SECOND_FACTOR_ENROLLED, now=utcnow(), account=nurse,
                       method=Method.PASSKEY)
    client = client_as(app, admin)
    html = client.get("/admin/security/sign-ins", headers=EN).get_data(as_text=True)
    assert html.count("<tr>") == sign_in_log.PAGE_SIZE + 1  # the header row and one page
    assert html.index("Second factor added") < html.index("Signed in")  # newest first
    assert "Passkey" in html
    assert "e-ID" in html
    assert nurse.name in html
    in_place = {"HX-Request": "true", "HX-Target": "sign-ins-more"}
    older = client.get("/admin/security/sign-ins?before=" + _next_after(html), headers={**EN, **in_place})
    fragment = older.get_data(as_text=True)
    assert "<html" not in fragment
    assert fragment.count("<tr>") == 4  # the rest: 54 events, 50 on the first page
    assert "4 older events are shown." in fragment
    whole = client.get("/admin/security/sign-ins", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in whole
    assert "<h1" in whole


def _next_after(html: str) -> str:
    return html.split("before=", 1)[1].split('"', 1)[0]


def test_sign_in_log_csv_export(app: Flask, session: Session) -> None:
    unit = factories.unit(session)
    admin = _admin(session, unit)
    victim = session.get(User, factories.staff(session, unit, email="x@example.se").user_id)
    victim.name = "=HYPERLINK(1)"
    session.add(victim)
    sign_in_log.record(session, kind=EventKind.ACCOUNT_CHANGED, now=utcnow(), account=victim, detail="deactivated")
    sign_in_log.record(session, kind=EventKind.SIGN_IN_FAILED, now=utcnow() - timedelta(days=91), method="eid")
    response = client_as(app, admin).get("/admin/security/sign-ins.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1  # the last 90 days only
    assert rows[0]["kind"] == "account_changed"
    assert rows[0]["detail"] == "deactivated"
    assert rows[0]["account_name"] == "'=HYPERLINK(1)"  # no formula runs in a spreadsheet


def test_sign_in_log_is_for_administrators_only(app: Flask, session: Session) -> None:
    nurse = factories.user(session, role=Role.STAFF, email="eva@example.se")
    assert client_as(app, nurse).get("/admin/security/sign-ins").status_code == 403
    assert client_as(app, nurse).get("/admin/security/sign-ins.csv").status_code == 403
    assert app.test_client().get("/admin/security/sign-ins").status_code == 302
    assert count_rows(session, SecurityEvent) == 0


def _relative_of(session: Session, patient_id: int, email: str) -> User:
    relative = factories.user(session, role=Role.RELATIVE, email=email)
    session.add(Delegation(patient_id=patient_id, relative_user_id=relative.id, relation="sibling", scopes="plan",
                           valid_from=date.today(), valid_until=date.today() + timedelta(days=30),
                           status="active", invite_name=relative.name, invite_email=email))
    session.commit()
    return relative


def test_sign_in_log_an_administrator_sees_only_their_own_care_provider(app: Flask, session: Session) -> None:
    """Their staff, patients in their units' care and those patients' relatives, and sign-ins that matched no
    account (attacks on everyone); never another provider's staff or patients, on screen or in the CSV file."""
    ours = factories.unit(session, name="Onkologimottagningen")
    theirs = factories.unit(session, name="Hudmottagningen", provider="Hudkliniken AB")
    admin = _admin(session, ours)
    named: dict[str, User] = {}
    for name, at in (("Our Nurse", ours), ("Their Nurse", theirs)):
        named[name] = session.get(User, factories.staff(session, at, name=name).user_id)
    for name, at in (("Our Patient", ours), ("Their Patient", theirs)):
        patient = factories.patient(session, name=name)
        factories.plan(session, patient, at)
        named[name] = session.get(User, patient.user_id)
        named[name.replace("Patient", "Relative")] = _relative_of(session, patient.id or 0, f"{name[:3]}@example.se")
    named["Their Admin"] = _admin(session, theirs, email="other-admin@example.se")
    for name, account in named.items():
        account.name = name
        session.add(account)
        sign_in_log.record(session, kind=EventKind.SIGN_IN_SUCCEEDED, now=utcnow(), account=account,
                           method=Method.PASSWORD)
    sign_in_log.record(session, kind=EventKind.SIGN_IN_FAILED, now=utcnow(), method=Method.PASSWORD,
                       detail="no account")
    session.commit()

    client = client_as(app, admin)
    html = client.get("/admin/security/sign-ins", headers=EN).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/security/sign-ins.csv").get_data(as_text=True))))
    shown = {row["account_name"] for row in rows if row["kind"] == "sign_in_succeeded"}
    assert shown == {"Our Nurse", "Our Patient", "Our Relative"}
    assert [row["detail"] for row in rows if row["kind"] == "sign_in_failed"] == ["no account"]
    for name in ("Our Nurse", "Our Patient", "Our Relative"):
        assert name in html
    for name in ("Their Nurse", "Their Patient", "Their Relative", "Their Admin"):
        assert name not in html


def test_sign_in_log_a_patient_handed_over_to_another_provider_leaves_the_log(app: Flask, session: Session) -> None:
    ours, theirs = factories.unit(session), factories.unit(session, name="Hudmottagningen", provider="Hudkliniken AB")
    admin = _admin(session, ours)
    patient = factories.patient(session, name="Moved Patient")
    plan = factories.plan(session, patient, ours)
    sign_in_log.record(session, kind=EventKind.SIGN_IN_SUCCEEDED, now=utcnow(), account=session.get(
        User, patient.user_id), method=Method.EID)
    session.commit()
    client = client_as(app, admin)
    assert "Moved Patient" in client.get("/admin/security/sign-ins").get_data(as_text=True)
    [ours_part] = session.exec(select(CareTeamMembership).where(CareTeamMembership.plan_id == plan.id)).all()
    ours_part.until = utcnow()  # handed over: the other provider's unit is responsible now
    session.add_all([ours_part, CareTeamMembership(plan_id=plan.id, unit_id=theirs.id)])
    session.commit()
    assert "Moved Patient" not in client.get("/admin/security/sign-ins").get_data(as_text=True)


def test_sign_in_log_an_administrator_of_no_provider_sees_only_sign_ins_without_an_account(
        app: Flask, session: Session) -> None:
    admin = factories.user(session, role=Role.ADMIN, email="adam@example.se")  # no provider
    nurse = session.get(User, factories.staff(session, factories.unit(session), name="Some Nurse").user_id)
    sign_in_log.record(session, kind=EventKind.SIGN_IN_SUCCEEDED, now=utcnow(), account=nurse, method=Method.EID)
    sign_in_log.record(session, kind=EventKind.SIGN_IN_FAILED, now=utcnow(), method=Method.PASSWORD)
    session.commit()
    rows = list(csv.DictReader(io.StringIO(client_as(app, admin).get("/admin/security/sign-ins.csv").get_data(
        as_text=True))))
    assert [row["kind"] for row in rows] == ["sign_in_failed"]
