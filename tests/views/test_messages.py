"""The message thread as the patient and the nurse use it: full pages, htmx fragments, bad input."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import AccessEvent, Message, MessageDraft, Notification, User
from tests import factories
from tests.conftest import HTMX_HEADERS, count_rows, csrf_from, pass_second_factor, sign_in

HX = {"HX-Request": "true", "HX-Target": "thread-list"}


def _form(client: FlaskClient, path: str) -> dict[str, str]:
    html = client.get(path).get_data(as_text=True)
    token = re.search(r'name="client_token" value="([^"]+)"', html).group(1)
    return {"csrf_token": csrf_from(html), "client_token": token}


@pytest.fixture
def maria(client: FlaskClient, session: Session):  # noqa: ANN201
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    sign_in(client, patient.personal_id, factories.PASSWORD)
    return patient, plan, nurse


def test_thread_page_has_safety_notice_reply_time_and_form(client: FlaskClient, maria) -> None:  # noqa: ANN001
    page = client.get("/plan/messages").get_data(as_text=True)
    assert "<h1 tabindex=\"-1\">Meddelanden</h1>" in page
    assert "Det finns inga meddelanden än." in page
    safety = page.split('class="mv-safety"')[1].split("</section>")[0]
    assert 'href="tel:112"' in safety
    assert 'href="tel:0101112233"' in safety
    assert "Onkologimottagningen" in safety
    assert "Vi svarar oftast inom 2 arbetsdagar." in safety
    assert "Du kan skriva högst 5 000 tecken." in page
    assert page.index('class="mv-safety"') < page.index('id="compose"')


def test_send_without_js_answers_303_back_to_the_thread(client: FlaskClient, session: Session,
                                                        maria) -> None:  # noqa: ANN001
    response = client.post("/plan/messages", data={**_form(client, "/plan/messages"), "body": "Rad ett\nRad två"})
    assert response.status_code == 303
    message = session.exec(select(Message)).one()
    assert response.headers["Location"] == f"/plan/messages#message-{message.id}"
    page = client.get("/plan/messages").get_data(as_text=True)
    assert "Rad ett\nRad två" in page
    assert 'class="mv-msg mv-msg--own"' in page
    assert ">Du</span>" in page


def test_send_with_htmx_returns_the_message_a_fresh_form_and_an_announcement(
        client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    form = _form(client, "/plan/messages")
    response = client.post("/plan/messages", data={**form, "body": "Hej"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<li class="mv-thread__day"')
    assert 'hx-swap-oob="innerHTML:#live-region">Meddelandet är skickat.' in body
    assert 'id="compose"' in body
    assert 'hx-swap-oob="true"' in body
    assert form["client_token"] not in body  # the fresh form has a new token
    assert '<textarea class="mv-field__input mv-compose__text" id="body"' in body
    assert "></textarea>" in body


def test_a_second_send_with_the_same_form_adds_nothing(client: FlaskClient, session: Session,
                                                       maria) -> None:  # noqa: ANN001
    form = _form(client, "/plan/messages")
    client.post("/plan/messages", data={**form, "body": "Hej"}, headers=HX)
    second = client.post("/plan/messages", data={**form, "body": "Hej"}, headers=HX)
    assert count_rows(session, Message) == 1
    assert "mv-msg" not in second.get_data(as_text=True).split('<form')[0]


@pytest.mark.parametrize(("text", "error"), [
    ("", "Skriv ditt meddelande innan du skickar det."),
    ("   \n\t  ", "Skriv ditt meddelande innan du skickar det."),
    ("x" * 5001, "Meddelandet är för långt. Det får ha högst 5\u00a0000 tecken."),
])
def test_bad_messages_get_an_error_and_keep_the_text(client: FlaskClient, session: Session, maria,  # noqa: ANN001
                                                      text: str, error: str) -> None:
    for headers in ({}, HX):
        response = client.post("/plan/messages", data={**_form(client, "/plan/messages"), "body": text},
                               headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert error in body
        assert f">{text}</textarea>" in body
        assert 'aria-invalid="true"' in body
    assert count_rows(session, Message) == 0
    assert response.headers["HX-Retarget"] == "#compose"


def test_html_is_shown_as_text_and_links_are_safe(client: FlaskClient, session: Session,
                                                  maria) -> None:  # noqa: ANN001
    text = '<script>alert(1)</script> <b>fet</b> https://example.se/a?b=1&c="x" javascript:alert(1)'
    client.post("/plan/messages", data={**_form(client, "/plan/messages"), "body": text})
    page = client.get("/plan/messages").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>fet</b>" not in page
    assert '<a href="https://example.se/a?b=1&amp;c=" rel="noopener noreferrer nofollow">' in page
    assert 'href="javascript' not in page


def test_control_characters_are_dropped(client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    client.post("/plan/messages", data={**_form(client, "/plan/messages"), "body": "a\x00b\x1bc"})
    assert session.exec(select(Message)).one().body == "abc"


def test_thread_shows_latest_30_and_pages_back(client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    patient, plan, _nurse = maria
    author = session.get(User, patient.user_id)
    made = [factories.message(session, plan, author, f"meddelande {n}") for n in range(35)]
    page = client.get("/plan/messages").get_data(as_text=True)
    assert page.count('class="mv-msg ') == 30
    assert "meddelande 4<" not in page
    assert "meddelande 5<" in page
    link = f'/plan/messages/older?before={made[5].id}'
    assert f'href="{link}"' in page
    assert "Visa äldre meddelanden" in page
    chunk = client.get(link, headers={"HX-Request": "true", "HX-Target": "thread-older"}).get_data(as_text=True)
    assert chunk.count('class="mv-msg ') == 5
    assert "<html" not in chunk
    assert 'hx-swap-oob="afterbegin:#thread-list"' in chunk
    assert 'hx-swap-oob="delete"' in chunk  # the same day's heading is not shown twice
    full = client.get(link).get_data(as_text=True)
    assert "<html" in full
    assert full.count('class="mv-msg ') == 5
    assert "Visa de senaste meddelandena" in full


def test_poll_brings_new_messages_and_announces_them(client: FlaskClient, session: Session,
                                                     maria) -> None:  # noqa: ANN001
    patient, plan, nurse = maria
    mine = factories.message(session, plan, session.get(User, patient.user_id), "fråga")
    nothing = client.get(f"/plan/messages/new?after={mine.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "mv-msg" not in nothing
    assert f"after={mine.id}" in nothing
    reply = factories.message(session, plan, session.get(User, nurse.user_id), "svar")
    body = client.get(f"/plan/messages/new?after={mine.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "svar" in body
    assert f"after={reply.id}" in body
    assert "1 nytt meddelande från Eva Lund." in body
    assert client.get("/plan/messages/new?after=0").status_code == 302  # not for plain browsing


def test_unread_badge_in_navigation(client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    _patient, plan, nurse = maria
    factories.message(session, plan, session.get(User, nurse.user_id), "svar")
    start = client.get("/plan/").get_data(as_text=True)
    assert re.search(r'id="unread-badge" class="mv-badge"[^>]*>1<span class="mv-visually-hidden"> oläst', start)
    poll = client.get("/plan/messages/unread?count=0", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Du har 1 oläst meddelande." in poll
    quiet = client.get("/plan/messages/unread?count=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "live-region" not in quiet
    client.get("/plan/messages")
    assert 'class="mv-badge mv-badge--none"' in client.get("/plan/").get_data(as_text=True)


def test_fragment_of_the_thread_page(client: FlaskClient, maria) -> None:  # noqa: ANN001
    body = client.get("/plan/messages", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert 'id="compose"' in body
    assert "<title>" in body


def test_reading_and_writing_are_logged_without_the_text(client: FlaskClient, session: Session,
                                                         maria) -> None:  # noqa: ANN001
    patient, plan, _nurse = maria
    client.post("/plan/messages", data={**_form(client, "/plan/messages"), "body": "hemlig text"})
    events = session.exec(select(AccessEvent).where(AccessEvent.patient_id == patient.id)).all()
    assert {(e.action, e.resource.split(":")[0]) for e in events} == {("read", "messages"), ("create", "message")}
    assert all("hemlig" not in e.resource for e in events)


SAME_SITE = {"Sec-Fetch-Site": "same-origin"}  # what a browser says about a form sent from one of our pages
CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}


def test_expired_session_keeps_the_text_over_a_new_sign_in(client: FlaskClient, session: Session,
                                                           maria) -> None:  # noqa: ANN001
    patient, _plan, _nurse = maria
    form = _form(client, "/plan/messages")
    client.delete_cookie("session")  # the session ran out while the patient was writing
    for headers in (SAME_SITE, {**HX, **SAME_SITE}):
        response = client.post("/plan/messages", data={**form, "body": "Min långa fråga"}, headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 401
        assert 'name="draft" value="Min långa fråga"' in page
    assert response.headers["HX-Retarget"] == "#compose"
    assert count_rows(session, Message) == 0
    token = csrf_from(page)
    client.post("/login", data={"identifier": patient.personal_id, "password": factories.PASSWORD,
                                "csrf_token": token, "next": "/plan/messages", "draft": "Min långa fråga"})
    pass_second_factor(client, patient.personal_id)  # the draft travels along to the end of the sign-in
    page = client.get("/plan/messages").get_data(as_text=True)
    assert ">Min långa fråga</textarea>" in page
    assert "Ditt meddelande är inte skickat än." in page
    assert "Min långa fråga</textarea>" not in client.get("/plan/messages").get_data(as_text=True)


def test_a_form_from_another_site_cannot_plant_text(client: FlaskClient, session: Session,
                                                    maria) -> None:  # noqa: ANN001
    """Without a valid token nothing is kept: not in the sign-in page's draft, not in the message box."""
    patient, _plan, _nurse = maria
    for headers in (CROSS_SITE, {}):
        anonymous = client.application.test_client()
        response = anonymous.post("/plan/messages", data={"body": "Planterad text"}, headers=headers)
        assert response.status_code == 400
        assert "Planterad text" not in response.get_data(as_text=True)
        expired_login = anonymous.post("/login", data={"identifier": patient.personal_id, "draft": "Planterad"},
                                       headers=headers)
        assert 'name="draft"' not in expired_login.get_data(as_text=True)
    form = _form(client, "/plan/messages")
    response = client.post("/plan/messages", data={**form, "csrf_token": "", "body": "Planterad text"},
                           headers=CROSS_SITE)
    assert response.status_code == 400
    assert "Planterad text" not in response.get_data(as_text=True)
    assert count_rows(session, MessageDraft) == 0
    assert "Planterad" not in client.get("/plan/messages").get_data(as_text=True)


def test_stale_form_in_a_live_session_keeps_the_text(client: FlaskClient, session: Session,
                                                     maria) -> None:  # noqa: ANN001
    form = _form(client, "/plan/messages")
    for headers in (SAME_SITE, {**HX, **SAME_SITE}):
        response = client.post("/plan/messages", data={**form, "csrf_token": "stale", "body": "Text <b>"},
                               headers={**headers, "Referer": "http://localhost/plan/messages"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert ">Text &lt;b&gt;</textarea>" in page
        assert "Sidan var för gammal" in page
        assert csrf_from(page) != "stale"
    assert response.headers["HX-Retarget"] == "#main-content"
    assert count_rows(session, Message) == count_rows(session, MessageDraft) == 0
    sent = client.post("/plan/messages", data={**form, "csrf_token": csrf_from(page), "body": "Text"})
    assert sent.status_code == 303  # the page drawn again sends


def test_patient_without_plan_has_no_thread(client: FlaskClient, session: Session) -> None:
    sign_in(client, factories.patient(session).personal_id, factories.PASSWORD)
    assert "Du har ingen vårdplan här än." in client.get("/plan/messages").get_data(as_text=True)
    assert client.get("/plan/messages/older?before=5").status_code == 404


def _nurse_client(client: FlaskClient, session: Session, nurse: factories.StaffMember) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/plan/").get_data(as_text=True))})
    sign_in(client, session.get(User, nurse.user_id).email, factories.PASSWORD)


def test_nurse_inbox_reply_and_handling(client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    patient, plan, nurse = maria
    patient_user = session.get(User, patient.user_id)
    patient_user.contact_email, patient_user.notify_messages = "maria@example.se", True
    session.add(patient_user)
    session.commit()
    factories.message(session, plan, patient_user, "Jag har ont")
    _nurse_client(client, session, nurse)
    inbox = client.get("/staff/inbox").get_data(as_text=True)
    assert "Maria Ek" in inbox
    assert "Inte hanterad" in inbox
    assert "19800101-****" in inbox
    thread = f"/staff/plans/{plan.id}/messages"
    page = client.get(thread).get_data(as_text=True)
    assert "Maria Ek, patient" in page
    assert "Jag har ont" in page
    response = client.post(thread, data={**_form(client, thread), "body": "Ring oss gärna"})
    assert response.status_code == 303
    reply = session.exec(select(Message).where(Message.author_user_id == nurse.user_id)).one()
    assert (reply.author_name, reply.author_title) == ("Eva Lund", "Kontaktsjuksköterska")
    assert session.exec(select(Notification)).one().user_id == patient.user_id
    assert "Inte hanterad" not in client.get("/staff/inbox").get_data(as_text=True)  # replying handles it
    token = csrf_from(client.get(thread).get_data(as_text=True))
    assert client.post(f"{thread}/unread", data={"csrf_token": token}).status_code == 303
    assert "Inte hanterad" in client.get("/staff/inbox").get_data(as_text=True)
    client.post(f"{thread}/handled", data={"csrf_token": token})
    assert "Inte hanterad" not in client.get("/staff/inbox").get_data(as_text=True)


def test_nurse_of_another_unit_gets_404_and_is_logged(client: FlaskClient, session: Session,
                                                      maria) -> None:  # noqa: ANN001
    _patient, plan, _nurse = maria
    outsider = factories.staff(session, factories.unit(session, name="Annan enhet"))
    _nurse_client(client, session, outsider)
    thread = f"/staff/plans/{plan.id}/messages"
    assert client.get(thread).status_code == 404
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    response = client.post(thread, data={"csrf_token": token, "client_token": factories.client_token(), "body": "x"})
    assert response.status_code == 404
    assert count_rows(session, Message) == 0
    denied = session.exec(select(AccessEvent).where(AccessEvent.action == "denied")).all()
    assert len(denied) == 2
    assert "Maria Ek" not in client.get("/staff/inbox").get_data(as_text=True)


def test_patient_cannot_use_a_forged_plan_id(client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    _other, other_plan, _ = factories.patient_with_plan(session, items=0)
    assert client.get(f"/staff/plans/{other_plan.id}/messages").status_code == 403
    form = _form(client, "/plan/messages")
    client.post("/plan/messages", data={**form, "body": "Hej", "plan_id": str(other_plan.id)})
    assert session.exec(select(Message)).one().plan_id != other_plan.id


@pytest.mark.parametrize(("language", "mark"), [("ar", ' lang="sv" dir="ltr"'), ("fi", ' lang="sv"'), ("sv", "")])
def test_the_care_teams_swedish_is_marked_on_a_page_in_another_language(client: FlaskClient, session: Session, maria,
                                                                        language: str, mark: str) -> None:  # noqa: ANN001
    """A screen reader reads the nurse's Swedish as Swedish on an Arabic or Finnish page; what the patient wrote may be
    in any language and is left unmarked."""
    patient, plan, nurse = maria
    factories.message(session, plan, session.get(User, patient.user_id), "سؤال")
    factories.message(session, plan, session.get(User, nurse.user_id), "Svar från Eva")
    token = csrf_from(client.get("/plan/").get_data(as_text=True))
    client.post("/language", data={"language": language, "csrf_token": token})
    page = client.get("/plan/messages").get_data(as_text=True)
    assert f'<div class="mv-msg__body"{mark}>Svar från Eva</div>' in page
    assert '<div class="mv-msg__body">سؤال</div>' in page
    safety = page.split('id="safety-heading"')[1].split("</section>")[0]
    hours = "Mån–fre 8–16"  # the unit's phone hours (tests/factories.py), in a sentence of the page's language
    assert (f"<span{mark}>{hours}</span>" if mark else f": {hours}.") in safety
