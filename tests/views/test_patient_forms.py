"""Answering a form as a patient: one screen at a time, drafts, review, exactly one submit, receipts."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from portal.core.clock import stockholm_today
from portal.demo.services import load_demo_data
from portal.models import AccessEvent, Alert, FormAssignment, FormResponse, User
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import load_all
from tests import factories
from tests.conftest import HTMX_HEADERS, csrf_from, sign_in


@pytest.fixture
def maria(client: FlaskClient, session: Session):  # noqa: ANN201
    """Maria, signed in, with 'mabra' due now."""
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    answering.import_definitions(session, load_all())
    assignment = answering.assign(session, plan.id, "mabra", 2, session.get(User, nurse.user_id))
    sign_in(client, patient.personal_id, factories.PASSWORD)
    return patient, plan, assignment


def _start(client: FlaskClient, assignment: FormAssignment) -> str:
    page = client.get("/plan/forms").get_data(as_text=True)
    response = client.post(f"/plan/forms/{assignment.id}/start", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    return response.headers["Location"]


def _post_step(client: FlaskClient, url: str, **answers: str | list[str]) -> object:
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "action": "next", **answers})


def test_forms_list_shows_forms_to_answer(client: FlaskClient, maria) -> None:  # noqa: ANN001
    page = client.get("/plan/forms").get_data(as_text=True)
    assert "Hur mår du?" in page
    assert "Att besvara nu" in page
    body = client.get("/plan/forms", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert "Hur mår du?" in body


def test_first_screen_is_the_scale_with_progress(client: FlaskClient, maria) -> None:  # noqa: ANN001
    url = _start(client, maria[2])
    assert url.endswith("/steps/1")
    page = client.get(url).get_data(as_text=True)
    assert "Fråga 1 av 6" in page  # the checklists may follow, depending on the answer
    assert ">Nästa</button>" in page
    assert page.count('type="radio" id="distress-') == 11


def test_required_answer_and_out_of_range_get_errors_that_link_to_the_field(client: FlaskClient,
                                                                           maria) -> None:  # noqa: ANN001
    url = _start(client, maria[2])
    response = _post_step(client, url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#distress-0"' in page
    assert "Svara på frågan." in page
    response = _post_step(client, url, distress="11")
    assert response.status_code == 422
    assert 'value="11"' not in page


def test_whole_form_review_submit_once_and_alert(client: FlaskClient, session: Session,
                                                 maria) -> None:  # noqa: ANN001
    _patient, plan, assignment = maria
    url = _start(client, assignment)
    response = _post_step(client, url, distress="7")
    assert response.headers["Location"].endswith("/steps/2")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fråga 2 av 6" in page
    second = _post_step(client, response.headers["Location"], problems_physical=["tiredness", "breathing"])
    location = second.headers["Location"]
    while "/steps/" in location:
        location = _post_step(client, location).headers["Location"]
    assert location.endswith("/review")
    review = client.get(location).get_data(as_text=True)
    assert "Trötthet" in review
    assert "Andningen" in review
    submit_url = location.replace("/review", "/submit")
    token = csrf_from(review)
    first = client.post(submit_url, data={"csrf_token": token})
    again = client.post(submit_url, data={"csrf_token": token})
    assert first.headers["Location"] == again.headers["Location"]
    submitted = session.exec(select(FormResponse).where(FormResponse.plan_id == plan.id)).all()
    assert [(r.status, r.score) for r in submitted] == [("submitted", 7)]
    reasons = sorted(a.reason for a in session.exec(select(Alert)).all())
    assert "high_distress" in reasons
    assert len(reasons) == len(set(reasons))
    receipt = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Dina svar är skickade" in receipt
    assert "https://www.1177.se" in receipt  # reading tied to 'tiredness'


def test_save_and_continue_later_keeps_the_draft(client: FlaskClient, session: Session,
                                                 maria) -> None:  # noqa: ANN001
    url = _start(client, maria[2])
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "action": "later", "distress": "5"})
    assert "/plan/forms?saved=" in response.headers["Location"]
    assert "Startat, inte skickat" in client.get("/plan/forms").get_data(as_text=True)
    fresh = client.application.test_client()
    sign_in(fresh, maria[0].personal_id, factories.PASSWORD)
    again = _start(fresh, maria[2])
    assert again.endswith("/steps/2")  # carries on after the answered scale
    assert 'id="distress-5" name="distress" value="5" checked' in fresh.get(again.replace("/steps/2", "/steps/1")
                                                                            ).get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(FormResponse)).one() == 1


def test_tampered_item_ids_are_dropped(client: FlaskClient, session: Session, maria) -> None:  # noqa: ANN001
    url = _start(client, maria[2])
    _post_step(client, url, distress="3", problems_money=["x"], admin="yes")
    stored = session.exec(select(FormResponse)).one()
    assert answering.answers_of(stored) == {"distress": 3}


def test_another_patients_response_is_404_and_logged(client: FlaskClient, session: Session,
                                                     maria) -> None:  # noqa: ANN001
    other, other_plan, nurse = factories.patient_with_plan(session, items=0)
    assignment = answering.assign(session, other_plan.id, "mabra", None, session.get(User, nurse.user_id))
    theirs = answering.start_or_resume(session, assignment, session.get(User, other.user_id))
    token = csrf_from(client.get("/plan/forms").get_data(as_text=True))
    assert client.get(f"/plan/forms/responses/{theirs.id}/steps/1").status_code == 404
    assert client.post(f"/plan/forms/responses/{theirs.id}/submit", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/plan/forms/{assignment.id}/start", data={"csrf_token": token}).status_code == 404
    denied = session.exec(select(AccessEvent).where(AccessEvent.action == "denied")).all()
    assert len(denied) == 3


def test_step_out_of_range_is_404(client: FlaskClient, maria) -> None:  # noqa: ANN001
    url = _start(client, maria[2])
    assert client.get(re.sub(r"/steps/\d+", "/steps/9", url)).status_code == 404
    assert client.get(re.sub(r"/steps/\d+", "/steps/0", url)).status_code == 404


def test_patient_sees_earlier_answers_and_the_trend(client: FlaskClient, session: Session) -> None:
    load_demo_data(session, stockholm_today())
    sign_in(client, "19680412-9820", "vardplan-demo")
    page = client.get("/plan/forms").get_data(as_text=True)
    answered = page.split("Besvarade")[1]
    assert answered.count("Poäng: ") == 3
    assert '<svg class="mv-chart__svg" role="img"' in answered
    assert "Dina poäng över tid: Hur mår du?" in answered


def test_no_distress_skips_the_checklists(client: FlaskClient, maria) -> None:  # noqa: ANN001
    url = _start(client, maria[2])
    response = _post_step(client, url, distress="0")
    assert response.headers["Location"].endswith("/review")
