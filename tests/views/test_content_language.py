"""Content in the reader's language, marked: an article, the illness text and the self-care advice in the UI language
where the content has it, otherwise Swedish with lang="sv" and the note "Den här texten finns bara på svenska";
"Visa på svenska" for one article; and lättläst, chosen on the reading page and remembered for the patient."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.content.services import store as content
from portal.core.clock import stockholm_today
from portal.models import (
    AccessEvent,
    Delegation,
    DelegationStatus,
    Patient,
    PlanItem,
    Relation,
    Role,
    User,
)
from portal.plans.access import ACTING_KEY
from portal.plans.services import builder
from tests import factories
from tests.conftest import client_as, csrf_from
from tests.content_language import World, make_world

EASY = "/plan/reading/easy-read"


def _as(app: Flask, session: Session, user: User, locale: str | None) -> FlaskClient:
    user.locale = locale
    session.add(user)
    session.commit()
    return client_as(app, user)


def _element(page: str, text: str) -> str:
    """The opening tag of the element in <main> whose text starts with `text`."""
    match = re.search(r"<(\w+)([^>]*)>\s*(?:<a [^>]*>)?" + re.escape(text), page.split("<main", 1)[-1])
    assert match, f"{text!r} not found"
    return match.group(0)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_finnish_reader_gets_the_finnish_article_unmarked(app: Flask, session: Session, world: World) -> None:
    client = _as(app, session, world.user, "fi")
    article = world.articles["utredning-vad-hander"]
    page = client.get(f"/plan/reading/{article.id}").get_data(as_text=True)
    assert "Tutkimukset – mitä nyt tapahtuu?" in page
    assert 'lang="sv"' not in _element(page, "Tutkimukset – mitä nyt tapahtuu?")
    assert "Tämä teksti on vain ruotsiksi." not in page
    # "Visa på svenska": this one article in Swedish, marked, and the way back
    swedish = client.get(f"/plan/reading/{article.id}?lang=sv").get_data(as_text=True)
    assert 'lang="sv"' in _element(swedish, "Utredningen – vad händer nu?")
    assert f'href="/plan/reading/{article.id}"' in swedish
    assert "Näytä kielellä suomi" in swedish
    assert "Tutkimukset – mitä nyt tapahtuu?" not in swedish
    assert f'href="/plan/reading/{article.id}?lang=sv"' in page  # offered on the Finnish one
    assert world.patient.easy_read is False  # nothing stored
    # Generell's illness text and self-care advice exist in Finnish too: shown in Finnish, not marked
    start = client.get("/plan/").get_data(as_text=True)
    assert "<p>Tämä hoitosuunnitelma sopii moniin eri syöpädiagnooseihin." in start
    listing = client.get("/plan/reading").get_data(as_text=True)
    assert "<li>Liiku joka päivä tavalla, joka sopii sinulle.</li>" in listing
    assert "Tämä teksti on vain ruotsiksi." not in listing


def test_a_swedish_only_article_is_marked_and_noted(app: Flask, session: Session) -> None:
    world = make_world(session, "brostcancer")  # no Arabic articles
    client = _as(app, session, world.user, "ar")
    article = next(iter(world.articles.values()))
    page = client.get(f"/plan/reading/{article.id}").get_data(as_text=True)
    title = content.article_view(article, "sv").title
    assert '<html lang="ar" dir="rtl"' in page or ('lang="ar"' in page and 'dir="rtl"' in page)
    assert 'lang="sv"' in _element(page, title)
    assert 'class="mv-prose" lang="sv"' in page
    assert "هذا النص متوفر باللغة السويدية فقط." in page
    assert "?lang=sv" not in page  # it is Swedish already
    listing = client.get("/plan/reading").get_data(as_text=True)
    assert 'lang="sv"' in _element(listing, title)
    assert listing.count("هذا النص متوفر باللغة السويدية فقط.") >= len(world.articles)
    assert re.search(r'<li lang="sv" dir="ltr">', listing)  # the self-care advice, Swedish only in this diagnosis
    start = client.get("/plan/").get_data(as_text=True)
    about = content.template_data(content.template_version(session, "brostcancer", world.plan.template_version),
                                  "sv")["about"]
    assert f'<p lang="sv" dir="ltr">{about[:40]}' in start  # Swedish runs left to right in an Arabic page


def test_english_reader_gets_english_and_swedish_reader_no_marks(app: Flask, session: Session, world: World) -> None:
    english = _as(app, session, world.user, "en").get("/plan/reading").get_data(as_text=True)
    assert "The investigation – what happens now?" in english
    assert 'lang="sv"' not in _element(english, "The investigation – what happens now?")
    assert "This text is only in Swedish." not in english
    start = client_as(app, world.user).get("/plan/").get_data(as_text=True)
    template = content.template_version(session, "generell", world.plan.template_version)
    about = content.template_data(template, "en")["about"]
    assert f"<p>{about[:40]}" in start  # the national illness text in English, as the care team left it
    swedish = _as(app, session, world.user, "sv").get("/plan/reading").get_data(as_text=True)
    assert 'lang="sv"' not in swedish.split("<main", 1)[1]
    assert "Den här texten finns bara på svenska." not in swedish


def test_the_illness_text_written_by_the_care_team_is_swedish(app: Flask, session: Session, world: World) -> None:
    world.plan.diagnosis_summary = "Du har en tumör som vi behandlar med strålning."
    session.add(world.plan)
    session.commit()
    page = _as(app, session, world.user, "fi").get("/plan/").get_data(as_text=True)
    assert '<p lang="sv">Du har en tumör som vi behandlar med strålning.</p>' in page


def test_easy_read_is_chosen_remembered_and_first(app: Flask, session: Session, world: World) -> None:
    client = _as(app, session, world.user, "sv")
    page = client.get("/plan/reading").get_data(as_text=True)
    assert "Slå på lättläst" in page
    assert "Utredningen – vad händer nu?" in page
    answer = client.post(EASY, data={"csrf_token": csrf_from(page), "easy_read": "on"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/plan/reading?saved=1#confirmation")
    session.expire_all()
    assert session.get(Patient, world.patient.id).easy_read is True
    client = client_as(app, world.user)  # a new session: the choice is kept on the patient
    page = client.get("/plan/reading?saved=1").get_data(as_text=True)
    assert "Lättläst är på." in page
    assert "Slå av lättläst" in page
    assert "Utredningen" in page
    assert "Utredningen – vad händer nu?" not in page
    assert page.count(">Lättläst</span>") == 4  # one per phase, tagged
    article = world.articles["utredning-vad-hander"]
    opened = client.get(f"/plan/reading/{article.id}").get_data(as_text=True)
    assert "Du ska göra några prov." in opened
    ordinary = client.get(f"/plan/reading/{article.id}?lang=sv").get_data(as_text=True)
    assert "Utredningen – vad händer nu?" in ordinary
    assert "Visa lättläst" in ordinary
    assert "Visa vanlig text" in opened
    events = session.exec(select(AccessEvent).where(AccessEvent.action == "update",
                                                    AccessEvent.resource == f"easy_read:{world.patient.id}")).all()
    assert len(events) == 1
    client.post(EASY, data={"csrf_token": csrf_from(page), "easy_read": "off"})
    session.expire_all()
    assert session.get(Patient, world.patient.id).easy_read is False


def test_a_relative_sees_the_patients_choice_but_cannot_change_it(app: Flask, session: Session,
                                                                 world: World) -> None:
    world.patient.easy_read = True
    session.add(world.patient)
    relative = factories.user(session, role=Role.RELATIVE, email="per@example.se")
    relative.name = "Per Ek"
    delegation = Delegation(patient_id=world.patient.id, relative_user_id=relative.id, relation=Relation.PARTNER,
                            scopes="plan", valid_from=stockholm_today() - timedelta(days=1),
                            valid_until=stockholm_today() + timedelta(days=60), status=DelegationStatus.ACTIVE,
                            invite_name="Per Ek", invite_email="per@example.se")
    session.add_all([relative, delegation])
    session.commit()
    client = client_as(app, relative)
    with client.session_transaction() as stored:
        stored[ACTING_KEY] = delegation.id
    page = client.get("/plan/reading").get_data(as_text=True)
    assert "Maria har valt lättläst." in page
    assert 'action="/plan/reading/easy-read"' not in page
    assert "Du ska göra några prov." not in page
    assert "Utredningen</a>" in page
    refused = client.post(EASY, data={"csrf_token": csrf_from(page), "easy_read": "off"})
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(Patient, world.patient.id).easy_read is True


def test_plan_items_carry_the_language_they_were_stored_in(app: Flask, session: Session, world: World) -> None:
    own = factories.item(session, world.plan, days=12, title="Tandläkaren")
    own.source = "patient"
    session.add(own)
    session.commit()
    page = _as(app, session, world.user, "ar").get("/plan/timeline").get_data(as_text=True)
    staff_titles = re.findall(r'<h3 class="mv-timeline__title"( lang="sv" dir="ltr")?>', page)
    assert staff_titles.count(' lang="sv" dir="ltr"') == len(staff_titles) - 1  # all but the patient's own item
    assert re.search(r'<h3 class="mv-timeline__title"><a [^>]*>Tandläkaren', page)
    english = make_world(session)
    english.patient.language = "en"
    session.add(english.patient)
    session.commit()
    nurse = factories.staff(session, factories.unit(session))
    made = builder.create_plan(session, english.patient, content.latest_published(session, "generell"), nurse,
                               session.get(User, nurse.user_id), stockholm_today())  # from the English content
    session.commit()
    assert {item.text_language for item in session.exec(select(PlanItem).where(PlanItem.plan_id == made.id))} == {
        "en"}
