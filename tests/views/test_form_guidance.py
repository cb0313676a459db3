"""What a form tells the patient while answering: the intro, both ends of the scale, scores in words, the danger box
the questionnaire file defines (and only for the answers it names), and when the care team reads the answers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from portal.core.clock import stockholm_today
from portal.models import Delegation, DelegationStatus, FormAssignment, Relation, User
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import load_all
from tests import factories
from tests.conftest import csrf_from, sign_in

FORMS = load_all()
SUICIDE_LINE = 'href="tel:90101"'


def _signed_in(client: FlaskClient, session: Session, key: str) -> FormAssignment:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    answering.import_definitions(session, FORMS)
    assignment = answering.assign(session, plan.id, key, None, session.get(User, nurse.user_id))
    sign_in(client, patient.personal_id, factories.PASSWORD)
    return assignment


@pytest.fixture
def mabra(client: FlaskClient, session: Session) -> FormAssignment:
    return _signed_in(client, session, "mabra")


@pytest.fixture
def behov(client: FlaskClient, session: Session) -> FormAssignment:
    return _signed_in(client, session, "behov")


def _start(client: FlaskClient, assignment: FormAssignment) -> str:
    page = client.get("/plan/forms").get_data(as_text=True)
    return client.post(f"/plan/forms/{assignment.id}/start", data={"csrf_token": csrf_from(page)}).headers["Location"]


def _post(client: FlaskClient, url: str, action: str = "next", **answers: str | list[str]) -> str:
    """Save one screen; where the answer leads."""
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "action": action, **answers})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def _step(url: str, number: int) -> str:
    return re.sub(r"/steps/\d+.*$", f"/steps/{number}", url)


def _danger_box(page: str) -> str:
    return page.split('<section class="mv-safety mv-danger" id="danger"')[1].split("</section>")[0]


def test_the_intro_from_the_file_is_on_the_first_screen_only(client: FlaskClient, mabra: FormAssignment) -> None:
    url = _start(client, mabra)
    first = client.get(url).get_data(as_text=True)
    intro = FORMS["mabra"].intro["sv"]
    assert f'<p class="mv-lead mv-form-intro">{intro}</p>' in first
    second = client.get(_step(_post(client, url, distress="6"), 2)).get_data(as_text=True)
    assert "Kroppen" in second
    assert intro not in second


def test_every_screen_with_a_scale_names_both_ends_and_the_question_says_which_way_is_worse(
        client: FlaskClient, mabra: FormAssignment) -> None:
    url = _start(client, mabra)
    _post(client, url, distress="6")
    screens = [client.get(_step(url, n)).get_data(as_text=True) for n in range(1, 7)]
    with_scale = [page for page in screens if 'name="distress"' in page]
    assert len(with_scale) == 1
    for page in with_scale:
        assert "Hur mycket besvär har du haft den senaste veckan?" in page
        assert "Ju högre siffra, desto mer besvär." in page
        ends = '<p class="mv-scale__ends" id="distress-ends"><span>0 = Inga besvär alls</span> <span>10 = Värsta'
        assert ends in page
        assert 'aria-describedby="distress-hint distress-ends"' in page  # read out with the question


def test_scores_are_explained_in_words_on_the_receipt_and_the_list(client: FlaskClient,
                                                                    mabra: FormAssignment) -> None:
    location = _post(client, _start(client, mabra), distress="7")
    while "/steps/" in location:
        location = _post(client, location)
    review = client.get(location).get_data(as_text=True)
    receipt = client.post(location.replace("/review", "/submit"), data={"csrf_token": csrf_from(review)},
                          follow_redirects=True).get_data(as_text=True)
    assert "Poäng: 7 av 10. Högre poäng betyder mer besvär." in receipt
    assert "Poäng: 7 av 10. Högre poäng betyder mer besvär." in client.get("/plan/forms").get_data(as_text=True)


def test_thoughts_of_death_bring_up_the_box_from_the_file_at_once(client: FlaskClient,
                                                                   mabra: FormAssignment) -> None:
    url = _start(client, mabra)
    _post(client, url, distress="8")
    existential = _step(url, 6)
    again = _post(client, existential, problems_existential=["life_thoughts", "future"])
    assert again == f"{existential}?danger=1#danger"  # the same screen, with the box, whatever the button
    page = client.get(again).get_data(as_text=True)
    box = _danger_box(page)
    assert 'aria-labelledby="danger-heading" tabindex="-1" data-autofocus>' in page  # it takes the focus
    assert "Behöver du hjälp nu?" in box
    assert FORMS["mabra"].item("problems_existential").danger[0].text["sv"] in box
    assert box.index(SUICIDE_LINE) < box.index("Ring Onkologimottagningen: 010-111 22 33") < box.index(
        'href="tel:1177"') < box.index('href="tel:112"')  # in the order the file lists them
    assert 'href="tel:0101112233"' in box
    assert "Svaret är sparat." in box
    assert 'id="problems_existential-life_thoughts" name="problems_existential" value="life_thoughts" checked' in page
    review = _post(client, again, problems_existential=["life_thoughts", "future"])  # Nästa once more goes on
    assert review.endswith("/review")
    assert SUICIDE_LINE in client.get(review).get_data(as_text=True)  # still there, not focused
    assert "data-autofocus" not in _danger_box(client.get(review).get_data(as_text=True))


def test_fever_brings_up_the_box_with_the_unit_first(client: FlaskClient, mabra: FormAssignment) -> None:
    url = _start(client, mabra)
    _post(client, url, distress="5")
    body = _step(url, 2)
    again = _post(client, body, action="later", problems_physical=["fever"])
    assert again == f"{body}?danger=1#danger"
    box = _danger_box(client.get(again).get_data(as_text=True))
    assert "Feber kan vara allvarligt" in box
    assert box.index('href="tel:0101112233"') < box.index('href="tel:1177"') < box.index('href="tel:112"')
    assert SUICIDE_LINE not in box


def test_harmless_answers_bring_up_no_box(client: FlaskClient, mabra: FormAssignment) -> None:
    url = _start(client, mabra)
    _post(client, url, distress="8")
    _post(client, _step(url, 2), problems_physical=["tiredness"])
    review = _post(client, _step(url, 6), problems_existential=["meaning", "future"])
    assert review.endswith("/review")
    assert 'id="danger"' not in client.get(review).get_data(as_text=True)
    assert 'id="danger"' not in client.get(_step(url, 2)).get_data(as_text=True)


def test_the_needs_form_shows_the_box_from_troublesome_thoughts_about_life_and_death(
        client: FlaskClient, behov: FormAssignment) -> None:
    url = _start(client, behov)
    screen = _step(url, 4)
    calm = {"meaning": "a_little", "faith": "not_at_all"}
    assert _post(client, screen, life_thoughts="a_little", **calm) == _step(url, 5)
    assert _post(client, screen, life_thoughts="troublesome", **calm) == f"{screen}?danger=1#danger"
    assert SUICIDE_LINE in _danger_box(client.get(screen).get_data(as_text=True))


def test_the_receipt_says_when_the_answers_are_read_and_keeps_the_box(client: FlaskClient,
                                                                      mabra: FormAssignment) -> None:
    url = _start(client, mabra)
    _post(client, url, distress="8")
    _post(client, _step(url, 6), problems_existential=["life_thoughts"])
    review = _post(client, _step(url, 6), problems_existential=["life_thoughts"])
    receipt = client.post(review.replace("/review", "/submit"),
                          data={"csrf_token": csrf_from(client.get(review).get_data(as_text=True))},
                          follow_redirects=True).get_data(as_text=True)
    assert "Vårdteamet läser oftast svaren inom 2 vardagar." in receipt
    assert ('Behöver du hjälp snabbare? Ring Onkologimottagningen på <a href="tel:0101112233">010-111 22 33</a>.'
            in receipt)
    assert SUICIDE_LINE in _danger_box(receipt)


def test_a_relative_with_the_forms_scope_is_spoken_to_about_the_patient(app, session: Session) -> None:  # noqa: ANN001
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    answering.import_definitions(session, FORMS)
    assignment = answering.assign(session, plan.id, "mabra", None, session.get(User, nurse.user_id))
    relative = factories.user(session, email="per.forms@example.se")
    relative.name = "Per Berg"
    session.add(Delegation(patient_id=patient.id, relative_user_id=relative.id, relation=Relation.PARTNER,
                           scopes="plan forms", valid_from=stockholm_today() - timedelta(days=1),
                           valid_until=stockholm_today() + timedelta(days=30), status=DelegationStatus.ACTIVE,
                           invite_name="Per Berg", invite_email="per.forms@example.se"))
    session.commit()
    client = app.test_client()
    sign_in(client, "per.forms@example.se", factories.PASSWORD)
    listing = client.get("/plan/forms").get_data(as_text=True)
    assert "Svaren hjälper vårdteamet att tidigt se vilken hjälp Maria behöver." in listing
    url = _start(client, assignment)
    step = client.get(url).get_data(as_text=True)
    assert "Du svarar för Maria. Svara så som Maria skulle svara." in step
    _post(client, url, distress="8")
    again = _post(client, _step(url, 6), problems_existential=["life_thoughts"])
    assert "Behöver Maria hjälp nu?" in _danger_box(client.get(again).get_data(as_text=True))


@pytest.mark.parametrize(("language", "marked"), [("ar", ' lang="sv" dir="ltr"'), ("fi", ' lang="sv"'), ("en", None)])
def test_a_form_only_in_swedish_is_marked_as_swedish(client: FlaskClient, mabra: FormAssignment, language: str,
                                                     marked: str | None) -> None:
    """The forms exist in Swedish and English: in Arabic or Finnish their questions are Swedish and say so, so that a
    screen reader reads them as Swedish; in English they are English and need no mark."""
    token = csrf_from(client.get("/language").get_data(as_text=True))
    client.post("/language", data={"language": language, "csrf_token": token})
    page = client.get(_start(client, mabra)).get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    title = FORMS["mabra"].title
    if marked is None:
        assert f'<p class="mv-muted">{title["en"]}</p>' in page
        assert ' lang="sv"' not in page
    else:
        assert f'<p class="mv-muted"{marked}>{title["sv"]}</p>' in page
        assert f'<h1 tabindex="-1"{marked}>' in page
        assert f'<span{marked}>{FORMS["mabra"].groups[0].items[0].text["sv"]}</span>' in page  # each question
