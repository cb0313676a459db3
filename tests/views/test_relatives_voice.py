"""The invitation as a relative meets it and the voice of the pages he then sees: the e-mail that does not read like
phishing, the page the secret link opens (who invites, what the access allows and until when, before anything is
asked), the welcome after accepting, and pages that name the patient instead of speaking to the relative as if he
were the patient."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from portal.core.clock import stockholm_today
from portal.models import AccessEvent, Delegation, DelegationStatus, Notification, Patient, Relation, Role, User
from portal.notifications.mailer import compose_invitation
from portal.notifications.services import INVITATION
from portal.relatives import services as ds
from tests import factories
from tests.conftest import csrf_from, sign_in

UNTIL = timedelta(days=90)


def _invite(session: Session, patient: Patient, scopes: tuple[str, ...] = ("plan", "messages_read")) -> str:
    """Maria invites Per Berg; the link from the outbox."""
    data = ds.InviteInput(name="Per Berg", email="per.berg@example.se", relation=Relation.PARTNER, scopes=scopes,
                          valid_until=(stockholm_today() + UNTIL).isoformat())
    ds.invite(session, patient, session.get(User, patient.user_id), data, stockholm_today(), "http://localhost")
    session.commit()
    return session.exec(select(Notification).where(Notification.kind == INVITATION,
                                                   col(Notification.payload).like("%/invite#%"))
                        .order_by(col(Notification.id).desc())).first().payload


def _open(client: FlaskClient, link: str) -> str:
    token = csrf_from(client.get("/invite").get_data(as_text=True))  # the form for an invitation's code
    opened = client.post("/invite/open", data={"csrf_token": token, "invitation_code": link.rsplit("#", 1)[1]})
    assert opened.status_code == 303
    page = client.get("/invite")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _relative(session: Session) -> User:
    account = factories.user(session, role=Role.RELATIVE, email="per.berg@example.se")
    account.name = "Per Berg"
    session.add(account)
    session.commit()
    return account


def test_the_email_says_where_it_comes_from_and_asks_for_nothing(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=1)
    link = _invite(session, patient)
    with app.test_request_context():
        _subject, body = compose_invitation(link)
    assert "Det här mejlet kommer från Min vårdplan" in body
    assert "Personen som bjöd in dig har oftast berättat om det." in body
    assert "Vi ber aldrig om ditt lösenord eller personnummer i ett mejl." in body
    assert "We never ask for your password" in body  # and in English, since the reader's language is unknown
    assert patient.name.split()[0] not in body


def test_the_link_opens_who_invites_what_and_until_when_before_any_question(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=1)  # Maria Ek
    page = _open(app.test_client(), _invite(session, patient))
    said = page.index("Maria Ek vill att du ska kunna följa Marias vårdplan i Min vårdplan.")
    assert said < page.index("Se vårdplan och läsning") < page.index("Läsa meddelanden")
    assert "Skicka meddelanden" not in page  # only what the invitation allows
    until = stockholm_today() + UNTIL
    assert f"{until.day} " in page[said:page.index('action="/invite/account"')]
    assert "Maria kan ändra det eller avsluta det när som helst." in page
    assert said < page.index("/login?next=/invite") < page.index('action="/invite/account"')  # asked only after
    assert "hennes" not in page
    assert "hans" not in page
    assert "Felkod" not in page


def test_after_accepting_a_welcome_says_what_he_sees_and_that_maria_can_end_it(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=1)
    link = _invite(session, patient, scopes=("plan",))
    relative = _relative(session)
    client = app.test_client()
    assert sign_in(client, relative.email, factories.PASSWORD).status_code == 303
    page = _open(client, link)
    accepted = client.post("/invite/accept", data={"csrf_token": csrf_from(page)})
    assert accepted.headers["Location"] == "/invite/welcome"
    welcome = client.get("/invite/welcome")
    body = welcome.get_data(as_text=True)
    assert welcome.status_code == 200
    assert "Välkommen till Marias vårdplan" in body
    assert "Se vårdplan och läsning" in body
    assert "Läsa meddelanden" not in body
    assert "Maria kan ändra vad du ser eller avsluta din åtkomst när som helst." in body
    assert 'href="/plan/"' in body
    assert "Gå till Marias vårdplan" in body
    session.expire_all()
    delegation = session.exec(select(Delegation).where(Delegation.patient_id == patient.id)).one()
    assert delegation.status == DelegationStatus.ACTIVE
    logged = session.exec(select(AccessEvent).where(AccessEvent.resource == f"delegation:{delegation.id}",
                                                    AccessEvent.action == "read")).all()
    assert [event.patient_id for event in logged] == [patient.id]


def test_the_welcome_is_only_for_an_access_in_use(app: Flask, session: Session) -> None:
    anonymous = app.test_client().get("/invite/welcome")
    assert anonymous.status_code in (302, 303)
    assert "/login" in anonymous.headers["Location"]
    relative = _relative(session)
    client = app.test_client()
    assert sign_in(client, relative.email, factories.PASSWORD).status_code == 303
    nothing = client.get("/invite/welcome")  # acting for nobody
    assert nothing.headers["Location"] == "/choose"


def _acting_relative(app: Flask, session: Session, scopes: str, relation: str = Relation.PARTNER
                     ) -> tuple[FlaskClient, Patient, Delegation]:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=1)
    relative = _relative(session)
    delegation = Delegation(patient_id=patient.id, relative_user_id=relative.id, relation=relation, scopes=scopes,
                            valid_from=stockholm_today() - timedelta(days=1),
                            valid_until=stockholm_today() + UNTIL, status=DelegationStatus.ACTIVE,
                            invite_name="Per Berg", invite_email=relative.email)
    session.add(delegation)
    session.commit()
    client = app.test_client()
    assert sign_in(client, relative.email, factories.PASSWORD).status_code == 303
    return client, patient, delegation


def test_a_reading_relative_is_told_what_he_may_do_instead(app: Flask, session: Session) -> None:
    client, _patient, _delegation = _acting_relative(app, session, "plan messages_read")
    messages = client.get("/plan/messages").get_data(as_text=True)
    assert "Här läser du Marias meddelanden" in messages
    assert "Du kan läsa meddelandena men inte skriva. Be Maria, eller ring Onkologimottagningen" in messages
    assert "Här skriver du" not in messages
    refused = client.get("/plan/forms")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Fråga Maria om du behöver se mer." in text
    assert "Felkod" not in text


def test_an_ended_access_names_the_patient(app: Flask, session: Session) -> None:
    client, _patient, delegation = _acting_relative(app, session, "plan")
    assert client.get("/plan/").status_code == 200
    ds.revoke(session, session.get(Delegation, delegation.id))
    session.commit()
    ended = client.get("/plan/timeline")
    assert ended.status_code == 403
    assert "Maria har avslutat din åtkomst." in ended.get_data(as_text=True)


def test_error_pages_show_no_error_code(client: FlaskClient) -> None:
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Felkod" not in missing.get_data(as_text=True)
