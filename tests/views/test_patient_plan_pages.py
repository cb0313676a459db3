"""The patient's own parts of the plan: reading and articles, own items, "what matters to me" and the paper plan."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.content.services import store as content
from portal.content.services.pack import load_pack
from portal.core.clock import in_stockholm, stockholm_today
from portal.core.drafts import save_draft
from portal.models import (
    AccessEvent,
    Article,
    CarePlan,
    CareUnit,
    ContentTemplate,
    DatePrecision,
    ItemSource,
    ItemStatus,
    MessageDraft,
    Patient,
    PlanChange,
    PlanItem,
    PlanReading,
    ReadingResponse,
    Role,
    StaffMember,
    User,
)
from portal.plans.services import builder, handover
from portal.plans.services import reading as plan_reading
from tests import factories
from tests.conftest import count_rows, csrf_from, sign_in
from tests.content_pack import write_diagnosis
from tests.plan_builder import ARTICLES


class Maria(NamedTuple):
    """Maria, signed in, with a plan from the breast cancer content: two of its three articles are her reading."""

    patient: Patient
    plan: CarePlan
    nurse: StaffMember
    unit: CareUnit
    articles: dict[str, Article]


# --- helpers ---------------------------------------------------------------------------------------------------------

def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # noqa: ANN202
    token = csrf_from(client.get("/plan/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _fresh_plan(session: Session, plan: CarePlan) -> CarePlan:
    session.commit()
    session.expire_all()
    return session.get(CarePlan, plan.id)


def _reading(session: Session, plan: CarePlan, article: Article) -> PlanReading | None:
    session.commit()
    session.expire_all()
    return session.exec(select(PlanReading).where(PlanReading.plan_id == plan.id,
                                                  PlanReading.article_id == article.id)).first()


def _items(session: Session, plan: CarePlan) -> list[PlanItem]:
    session.commit()
    session.expire_all()
    return list(session.exec(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.id)).all())


def _item(session: Session, item_id: int) -> PlanItem | None:
    session.commit()
    session.expire_all()
    return session.get(PlanItem, item_id)


def _changes(session: Session, plan: CarePlan) -> list[PlanChange]:
    session.commit()
    session.expire_all()
    return list(session.exec(select(PlanChange).where(PlanChange.plan_id == plan.id).order_by(PlanChange.id)).all())


def _events(session: Session, patient: Patient, action: str, resource: str | None = None) -> list[AccessEvent]:
    session.commit()
    session.expire_all()
    query = select(AccessEvent).where(AccessEvent.actor_user_id == patient.user_id, AccessEvent.action == action)
    if resource is not None:
        query = query.where(AccessEvent.resource == resource)
    return list(session.exec(query.order_by(AccessEvent.id)).all())


def _import(session: Session, root: Path, key: str = "brostcancer") -> ContentTemplate:
    write_diagnosis(root, key=key, articles=ARTICLES)
    results = content.import_packs(session, load_pack(root)[0], publish=True)
    return content.template_version(session, key, results[0].version)


def _plan_for(session: Session, patient: Patient, template: ContentTemplate, nurse: StaffMember) -> CarePlan:
    """A plan made from the content and shared with the patient."""
    made = builder.create_plan(session, patient, template, nurse, session.get(User, nurse.user_id), stockholm_today())
    made.shared_at = made.created_at
    return made


def _own_item(session: Session, plan: CarePlan, title: str = "Tandläkaren") -> PlanItem:
    found = factories.item(session, plan, days=12, title=title, status=ItemStatus.PLANNED)
    found.source = ItemSource.PATIENT
    found.location = "Folktandvården"
    session.add(found)
    session.commit()
    return found


def _own_data(**changes: str) -> dict[str, str]:
    data = {"title": "Tandläkaren", "day": (stockholm_today() + timedelta(days=14)).isoformat(), "clock": "14:00",
            "location": "Folktandvården Centrum", "body": "Kontroll av tänderna före strålningen."}
    data.update(changes)
    return data


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


# --- fixtures --------------------------------------------------------------------------------------------------------

@pytest.fixture
def template(tmp_path: Path, session: Session) -> ContentTemplate:
    return _import(session, tmp_path / "pack")


@pytest.fixture
def maria(client: FlaskClient, session: Session, template: ContentTemplate) -> Maria:
    where = factories.unit(session, name="Kirurgmottagningen")
    nurse = factories.staff(session, where, name="Eva Lund")
    patient = factories.patient(session, name="Maria Ek")
    plan = _plan_for(session, patient, template, nurse)
    articles = {a.slug: a for a in content.articles_of(session, template.id)}
    plan_reading.set_readings(session, plan, session.get(User, nurse.user_id),
                         {articles["fragor-till-lakaren"].id, articles["trotthet"].id})
    sign_in(client, patient.personal_id, factories.PASSWORD)
    return Maria(patient, plan, nurse, where, articles)


@pytest.fixture
def nurse_client(app: Flask, session: Session, maria: Maria) -> FlaskClient:
    client = app.test_client()
    sign_in(client, session.get(User, maria.nurse.user_id).email, factories.PASSWORD)
    return client


# --- reading ---------------------------------------------------------------------------------------------------------

def test_reading_lists_only_the_plans_articles(client: FlaskClient, session: Session, tmp_path: Path,
                                               maria: Maria) -> None:
    other = _import(session, tmp_path / "other", key="prostatacancer")
    foreign = content.articles_of(session, other.id)
    response = client.get("/plan/reading")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/plan/reading/{maria.articles["fragor-till-lakaren"].id}"' in page
    assert f'href="/plan/reading/{maria.articles["trotthet"].id}"' in page
    assert "Frågor till läkaren" in page
    assert "Om Trötthet under behandlingen." in page  # the summary
    assert f'href="/plan/reading/{maria.articles["mat-och-aptit"].id}"' not in page
    assert "Mat och aptit" not in page
    for article in foreign:
        assert f'href="/plan/reading/{article.id}"' not in page
    assert 'id="reading-treatment"' in page
    assert "Rör på dig en stund varje dag." in page  # self-care advice from the content
    assert len(_events(session, maria.patient, "read", f"reading:{maria.plan.id}")) == 1


def test_reading_page_as_an_htmx_fragment(client: FlaskClient, maria: Maria) -> None:
    body = client.get("/plan/reading", headers={"HX-Request": "true", "HX-Target": "main-content"}).get_data(
        as_text=True)
    assert "<html" not in body
    assert "Trötthet under behandlingen" in body


def test_opening_an_article_marks_it_read(client: FlaskClient, session: Session, maria: Maria) -> None:
    article = maria.articles["trotthet"]
    assert _reading(session, maria.plan, article).read_at is None
    response = client.get(f"/plan/reading/{article.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trötthet under behandlingen" in page
    assert "<h2>Trötthet under behandlingen</h2>" in page  # the Markdown body, rendered
    assert 'href="https://www.1177.se/sjukdomar--besvar/cancer/"' in page
    assert f'action="/plan/reading/{article.id}"' in page
    assert 'name="response" value="understood"' in page
    assert 'name="response" value="question"' in page
    first = _reading(session, maria.plan, article)
    assert first.read_at is not None
    assert first.response is None
    assert len(_events(session, maria.patient, "read", f"article:{article.id}")) == 1
    client.get(f"/plan/reading/{article.id}")
    assert _reading(session, maria.plan, article).read_at == first.read_at  # the first reading counts
    assert _reading(session, maria.plan, maria.articles["fragor-till-lakaren"]).read_at is None


def test_i_have_read_and_understand(client: FlaskClient, session: Session, maria: Maria) -> None:
    article = maria.articles["trotthet"]
    response = _post(client, f"/plan/reading/{article.id}", {"response": "understood"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/plan/reading/{article.id}?answered=1#confirmation"
    reading = _reading(session, maria.plan, article)
    assert reading.response == ReadingResponse.UNDERSTOOD
    assert reading.responded_at is not None
    assert reading.read_at is not None
    assert len(_events(session, maria.patient, "update", f"article:{article.id}")) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="response" value="understood"' not in page
    assert 'name="response" value="question"' in page
    assert 'role="status"' in page


def test_i_have_a_question_opens_the_message_composer_with_a_reference(client: FlaskClient, session: Session,
                                                                       maria: Maria) -> None:
    article = maria.articles["trotthet"]
    response = _post(client, f"/plan/reading/{article.id}", {"response": "question"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/plan/messages?article={article.id}"
    assert _reading(session, maria.plan, article).response is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    body = _textarea(page, "body")
    assert "Trötthet under behandlingen" in body
    assert body.index("Trötthet under behandlingen") < 40  # a short reference at the start


@pytest.mark.parametrize("which", ["not_chosen", "foreign", "unknown"])
def test_the_composer_ignores_an_article_that_is_not_the_plans(client: FlaskClient, session: Session,
                                                               tmp_path: Path, maria: Maria, which: str) -> None:
    other = _import(session, tmp_path / "other", key="prostatacancer")
    article_id = {"not_chosen": str(maria.articles["mat-och-aptit"].id),
                  "foreign": str(content.articles_of(session, other.id)[0].id), "unknown": "abc"}[which]
    page = client.get(f"/plan/messages?article={article_id}").get_data(as_text=True)
    assert _textarea(page, "body").strip() == ""


def test_an_unknown_response_changes_nothing(client: FlaskClient, session: Session, maria: Maria) -> None:
    article = maria.articles["trotthet"]
    response = _post(client, f"/plan/reading/{article.id}", {"response": "maybe"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/plan/reading/{article.id}"
    assert _reading(session, maria.plan, article).response is None


@pytest.mark.parametrize("which", ["not_chosen", "other_diagnosis", "other_plan", "unknown"])
def test_an_article_that_is_not_in_the_plan_is_404(client: FlaskClient, session: Session, tmp_path: Path,
                                                   maria: Maria, which: str) -> None:
    other = _import(session, tmp_path / "other", key="prostatacancer")
    if which == "other_plan":
        # Someone else's plan with an article Maria's plan does not have.
        someone = factories.patient(session, name="Sven Ek")
        their_plan = _plan_for(session, someone, other, maria.nurse)
        article_id = session.exec(select(PlanReading.article_id).where(PlanReading.plan_id == their_plan.id)).first()
    else:
        article_id = {"not_chosen": maria.articles["mat-och-aptit"].id,
                      "other_diagnosis": content.articles_of(session, other.id)[0].id,
                      "unknown": 999999}.get(which)
    response = client.get(f"/plan/reading/{article_id}")
    assert response.status_code == 404
    assert "Mat och aptit" not in response.get_data(as_text=True)
    assert _post(client, f"/plan/reading/{article_id}", {"response": "understood"}).status_code == 404
    assert _post(client, f"/plan/reading/{article_id}", {"response": "question"}).status_code == 404
    assert count_rows(session, PlanReading, PlanReading.response.is_not(None)) == 0
    assert len(_events(session, maria.patient, "denied", f"article:{article_id}")) == 3


# --- own items -------------------------------------------------------------------------------------------------------

def test_own_item_form(client: FlaskClient, maria: Maria) -> None:
    response = client.get("/plan/items/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/plan/items/new"' in page
    for name in ("title", "day", "clock", "location", "body"):
        assert f'name="{name}"' in page
    assert 'name="unit_id"' not in page
    assert 'name="status"' not in page


def test_add_an_own_item(client: FlaskClient, session: Session, maria: Maria) -> None:
    before = len(_items(session, maria.plan))
    day = stockholm_today() + timedelta(days=14)
    # A patient cannot set a unit, a status or preparation: those are ignored.
    data = _own_data(day=day.isoformat(), unit_id=str(maria.unit.id), status="done", preparation="Hack",
                     phase="follow_up", kind="treatment")
    response = _post(client, "/plan/items/new", data)
    assert response.status_code == 303
    items = _items(session, maria.plan)
    assert len(items) == before + 1
    item = items[-1]
    assert response.headers["Location"] == f"/plan/items/{item.id}?saved=1"
    assert item.source == ItemSource.PATIENT
    assert (item.title, item.location, item.body) == ("Tandläkaren", "Folktandvården Centrum",
                                                      "Kontroll av tänderna före strålningen.")
    assert (item.status, item.unit_id, item.preparation) == (ItemStatus.PLANNED, None, "")
    assert (item.phase, item.kind) == (maria.plan.current_phase, "appointment")
    assert item.date_precision == DatePrecision.TIME
    assert in_stockholm(item.starts_at).replace(tzinfo=None) == datetime(day.year, day.month, day.day, 14, 0)
    last = _changes(session, maria.plan)[-1]
    assert (last.what, last.detail, last.actor_user_id, last.role) == (
        "patient_item_added", "Tandläkaren", maria.patient.user_id, Role.PATIENT)
    assert len(_events(session, maria.patient, "create", f"item:{item.id}")) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tandläkaren" in page
    assert f'href="/plan/items/{item.id}/edit"' in page
    assert f'action="/plan/items/{item.id}/delete"' in page
    assert 'class="mv-tag mv-tag--own"' in page
    timeline = client.get("/plan/timeline").get_data(as_text=True)
    assert "Tandläkaren" in timeline


def test_an_own_item_without_a_time_is_a_day(client: FlaskClient, session: Session, maria: Maria) -> None:
    assert _post(client, "/plan/items/new", _own_data(clock="")).status_code == 303
    assert _items(session, maria.plan)[-1].date_precision == DatePrecision.DAY


@pytest.mark.parametrize(("field", "change"), [
    ("title", {"title": ""}),
    ("title", {"title": "x" * 201}),
    ("day", {"day": ""}),
    ("day", {"day": "past"}),
    ("day", {"day": "i morgon"}),
    ("clock", {"clock": "kvart över två"}),
    ("location", {"location": "x" * 201}),
])
def test_own_item_errors_are_422_and_save_nothing(client: FlaskClient, session: Session, maria: Maria, field: str,
                                                  change: dict[str, str]) -> None:
    if change.get("day") == "past":
        change = {"day": (stockholm_today() - timedelta(days=3)).isoformat()}
    before = (len(_items(session, maria.plan)), len(_changes(session, maria.plan)))
    data = _own_data(**change)
    response = _post(client, "/plan/items/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert 'class="mv-error-summary"' in page
    assert (len(_items(session, maria.plan)), len(_changes(session, maria.plan))) == before
    if data["title"]:
        assert f'value="{data["title"]}"' in page
    assert "Kontroll av tänderna före strålningen.</textarea>" in page


def test_the_patient_cannot_change_or_remove_a_staff_item(client: FlaskClient, session: Session,
                                                          maria: Maria) -> None:
    staff_item = _items(session, maria.plan)[0]
    assert staff_item.source == ItemSource.STAFF
    base = f"/plan/items/{staff_item.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert _post(client, f"{base}/edit", _own_data(title="Ändrad")).status_code == 404
    assert _post(client, f"{base}/delete").status_code == 404
    assert _post(client, f"{base}/delete", {"confirm": "yes"}).status_code == 404
    found = _item(session, staff_item.id)
    assert found is not None
    assert found.title == "Mammografi"
    assert len(_events(session, maria.patient, "denied", f"item:{staff_item.id}")) == 4
    page = client.get(base).get_data(as_text=True)  # the patient may still read it
    assert f'href="{base}/edit"' not in page
    assert f'action="{base}/delete"' not in page


def test_the_patient_cannot_touch_another_patients_own_item(client: FlaskClient, session: Session,
                                                            maria: Maria) -> None:
    _someone, their_plan, _their_nurse = factories.patient_with_plan(session, items=0)
    foreign = _own_item(session, their_plan, title="Sjukgymnast")
    base = f"/plan/items/{foreign.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/edit").status_code == 404
    assert _post(client, f"{base}/edit", _own_data(title="Kapad")).status_code == 404
    assert _post(client, f"{base}/delete", {"confirm": "yes"}).status_code == 404
    assert _item(session, foreign.id).title == "Sjukgymnast"
    assert _changes(session, their_plan) == []


def test_change_an_own_item(client: FlaskClient, session: Session, maria: Maria) -> None:
    own = _own_item(session, maria.plan)
    path = f"/plan/items/{own.id}/edit"
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Tandläkaren"' in page
    assert 'value="Folktandvården"' in page
    assert f'action="{path}"' in page
    day = stockholm_today() + timedelta(days=30)
    response = _post(client, path, _own_data(title="Tandläkaren (ny tid)", day=day.isoformat(), clock=""))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/plan/items/{own.id}?saved=1"
    changed = _item(session, own.id)
    assert (changed.title, changed.source, changed.date_precision) == ("Tandläkaren (ny tid)", "patient", "day")
    assert in_stockholm(changed.starts_at).date() == day
    last = _changes(session, maria.plan)[-1]
    assert (last.what, last.actor_user_id) == ("patient_item_changed", maria.patient.user_id)
    assert len(_events(session, maria.patient, "update", f"item:{own.id}")) == 1


def test_change_an_own_item_with_an_error_keeps_the_text(client: FlaskClient, session: Session,
                                                         maria: Maria) -> None:
    own = _own_item(session, maria.plan)
    yesterday = (stockholm_today() - timedelta(days=1)).isoformat()
    response = _post(client, f"/plan/items/{own.id}/edit", _own_data(title="Tandläkaren igen", day=yesterday))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="day-error"' in page
    assert 'value="Tandläkaren igen"' in page
    assert _item(session, own.id).title == "Tandläkaren"


def test_remove_an_own_item_asks_first(client: FlaskClient, session: Session, maria: Maria) -> None:
    own = _own_item(session, maria.plan)
    own_id = own.id
    path = f"/plan/items/{own_id}/delete"
    response = _post(client, path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="confirm" value="yes"' in page
    assert f'action="{path}"' in page
    assert "Tandläkaren" in page
    assert count_rows(session, PlanItem, PlanItem.id == own_id) == 1
    response = _post(client, path, {"confirm": "yes"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/plan/timeline?removed=1#confirmation"
    assert count_rows(session, PlanItem, PlanItem.id == own_id) == 0
    last = _changes(session, maria.plan)[-1]
    assert (last.what, last.detail) == ("patient_item_removed", "Tandläkaren")
    assert len(_events(session, maria.patient, "delete", f"item:{own_id}")) == 1
    assert client.get(f"/plan/items/{own_id}").status_code == 404


def test_the_nurse_sees_the_patients_own_item_without_tools(nurse_client: FlaskClient, session: Session,
                                                            maria: Maria) -> None:
    own = _own_item(session, maria.plan)
    page = nurse_client.get(f"/staff/plans/{maria.plan.id}").get_data(as_text=True)
    assert f'id="item-{own.id}"' in page
    assert "Tandläkaren" in page
    assert f"/staff/plans/{maria.plan.id}/items/{own.id}/edit" not in page


# --- what matters to me ----------------------------------------------------------------------------------------------

def test_what_matters_is_saved_and_the_nurse_sees_it(client: FlaskClient, nurse_client: FlaskClient,
                                                     session: Session, maria: Maria) -> None:
    response = client.get("/plan/what-matters")
    assert response.status_code == 200
    assert _textarea(response.get_data(as_text=True), "what_matters") == ""
    text = "Att kunna gå med min hund Sixten.\nAtt få skriftlig information."
    response = _post(client, "/plan/what-matters", {"what_matters": f"  {text}  "})
    assert response.status_code == 303
    assert response.headers["Location"] == "/plan/what-matters?saved=1#confirmation"
    plan = session.get(CarePlan, maria.plan.id)
    session.refresh(plan)
    assert plan.what_matters == text
    assert plan.what_matters_at is not None
    last = _changes(session, maria.plan)[-1]
    assert (last.what, last.actor_user_id) == ("what_matters", maria.patient.user_id)
    assert len(_events(session, maria.patient, "update", f"what_matters:{maria.plan.id}")) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _textarea(page, "what_matters") == text
    assert 'role="status"' in page
    staff_page = nurse_client.get(f"/staff/plans/{maria.plan.id}").get_data(as_text=True)
    assert "Att kunna gå med min hund Sixten." in staff_page


def test_what_matters_too_long_is_422_and_the_text_is_kept(client: FlaskClient, session: Session,
                                                           maria: Maria) -> None:
    _post(client, "/plan/what-matters", {"what_matters": "Min familj."})
    text = "Sixten " * 600  # 4200 characters
    response = _post(client, "/plan/what-matters", {"what_matters": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="what_matters-error"' in page
    assert _textarea(page, "what_matters") == text.strip()
    plan = session.get(CarePlan, maria.plan.id)
    session.refresh(plan)
    assert plan.what_matters == "Min familj."


# --- the paper plan --------------------------------------------------------------------------------------------------

def test_print_page_has_the_whole_plan(client: FlaskClient, session: Session, maria: Maria) -> None:
    factories.item(session, maria.plan, days=5, title="Strålbehandling 1", at=maria.unit,
                   preparation="Ta med din medicinlista.")
    _own_item(session, maria.plan, title="Tandläkaren")
    _post(client, "/plan/what-matters", {"what_matters": "Att kunna gå med min hund Sixten."})
    response = client.get("/plan/print")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Eva Lund" in page
    assert "Kirurgmottagningen" in page
    assert "010-111 22 33" in page
    assert "Du har bröstcancer." in page
    for item in _items(session, maria.plan):
        assert item.title in page
    assert "Ta med din medicinlista." in page
    for slug in ("fragor-till-lakaren", "trotthet"):
        article = maria.articles[slug]
        assert content.article_view(article, "sv").title in page
        assert f"/plan/reading/{article.id}" not in page  # works only after signing in
    assert "Hela texterna finns i Min vårdplan under \"Läsning\" när du har loggat in på http://localhost/." in page
    assert "19800101-****" in page  # the masked number, on screen and in every printed page's margin
    assert 'data-print-page-before="Sida "' in page
    assert "Mat och aptit" not in page
    assert "https://www.1177.se/sjukdomar--besvar/cancer/" in page
    assert "Att kunna gå med min hund Sixten." in page
    assert "Rör på dig en stund varje dag." in page
    assert len(_events(session, maria.patient, "read", f"print:{maria.plan.id}")) == 1


def test_print_page_after_a_handover_shows_the_new_contact_nurse(client: FlaskClient, session: Session,
                                                                 maria: Maria) -> None:
    where = factories.unit(session, name="Onkologimottagningen", phone="010-999 88 77")
    receiver = factories.staff(session, where, name="Karin Berg")
    checked, _errors = handover.check(session, maria.plan, handover.HandoverInput(
        unit=str(where.id), nurse=str(receiver.id), note="Tar över."))
    sent = handover.start(session, maria.plan, session.get(User, maria.nurse.user_id), maria.nurse.unit_id, checked)
    accepting = session.get(User, receiver.user_id)
    handover.accept(session, handover.receivable(session, accepting.id, sent.id), accepting)
    session.commit()
    page = client.get("/plan/print").get_data(as_text=True)
    assert "Karin Berg" in page
    assert "010-999 88 77" in page
    assert "Eva Lund" not in page


# --- access and the log ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "resource"), [
    ("/plan/reading", "reading:{plan}"),
    ("/plan/reading/{article}", "article:{article}"),
    ("/plan/what-matters", "what_matters:{plan}"),
    ("/plan/print", "print:{plan}"),
])
def test_every_read_writes_an_access_event(client: FlaskClient, session: Session, maria: Maria, path: str,
                                           resource: str) -> None:
    ids = {"plan": maria.plan.id, "article": maria.articles["trotthet"].id}
    assert client.get(path.format(**ids)).status_code == 200
    events = _events(session, maria.patient, "read", resource.format(**ids))
    assert [(e.patient_id, e.role) for e in events] == [(maria.patient.id, Role.PATIENT)]


def test_the_own_item_edit_form_is_logged_as_a_read(client: FlaskClient, session: Session, maria: Maria) -> None:
    own = _own_item(session, maria.plan)
    assert client.get(f"/plan/items/{own.id}/edit").status_code == 200
    assert len(_events(session, maria.patient, "read", f"item:{own.id}")) == 1


@pytest.mark.parametrize("path", ["/plan/reading", "/plan/reading/1", "/plan/items/new", "/plan/what-matters",
                                  "/plan/print"])
def test_a_patient_without_a_plan_gets_404(client: FlaskClient, session: Session, path: str) -> None:
    patient = factories.patient(session)
    sign_in(client, patient.personal_id, factories.PASSWORD)
    assert client.get(path).status_code == 404


@pytest.mark.usefixtures("template")
@pytest.mark.parametrize("path", ["/plan/reading", "/plan/print", "/plan/what-matters"])
def test_staff_get_403_on_the_patients_pages(client: FlaskClient, session: Session, path: str) -> None:
    nurse = factories.staff(session, factories.unit(session))
    sign_in(client, session.get(User, nurse.user_id).email, factories.PASSWORD)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/plan/reading", "/plan/print", "/plan/what-matters", "/plan/items/new"])
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/login?next={path}")


def test_posts_without_csrf_token_are_refused(client: FlaskClient, session: Session, maria: Maria) -> None:
    article = maria.articles["trotthet"]
    assert client.post(f"/plan/reading/{article.id}", data={"response": "understood"}).status_code == 400
    assert client.post("/plan/what-matters", data={"what_matters": "Hej"}).status_code == 400
    assert client.post("/plan/items/new", data=_own_data()).status_code == 400
    assert _reading(session, maria.plan, article).response is None
    assert len(_items(session, maria.plan)) == 2
    assert _fresh_plan(session, maria.plan).what_matters == ""


def test_a_stale_own_item_form_does_not_replace_the_message_draft(client: FlaskClient, session: Session,
                                                                  maria: Maria) -> None:
    save_draft(session, maria.patient.user_id, "Hej! Jag undrar över min operation.", "/plan/messages")
    client.post("/plan/items/new", data=_own_data(body="Kontroll"))
    session.commit()
    session.expire_all()
    draft = session.get(MessageDraft, maria.patient.user_id)
    assert (draft.body, draft.path) == ("Hej! Jag undrar över min operation.", "/plan/messages")

