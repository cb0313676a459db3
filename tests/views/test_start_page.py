"""The start page as a to-do ("Att göra": new messages, forms due, new in the plan, reading not read), the "Mer" page,
and a navigation with no link a person cannot open (issue 14)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal.core.clock import stockholm_today, utcnow
from portal.models import (
    Article,
    CarePlan,
    ContentTemplate,
    Delegation,
    DelegationStatus,
    FormAssignment,
    Patient,
    PlanReading,
    Relation,
    Role,
    User,
)
from portal.plans.services import builder
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import load_all
from tests import factories
from tests.conftest import client_as
from tests.sql import counting

NAV = re.compile(r'<nav id="site-nav".*?</nav>', re.DOTALL)
TODO = re.compile(r'<section class="mv-card mv-todo".*?</section>', re.DOTALL)


def _nav(page: str) -> str:
    return NAV.search(page).group(0)


def _todo(page: str) -> str:
    return TODO.search(page).group(0)


def _readings(session: Session, plan: CarePlan, count: int, read: int = 0) -> None:
    """`count` articles in the plan's reading, the first `read` of them opened."""
    template = session.exec(select(ContentTemplate)).first() or ContentTemplate(
        diagnosis_key=plan.template_key, version=1, status="published", content_hash="x" * 64,
        data=json.dumps({"name": {"sv": "Bröstcancer", "en": "Breast cancer"}, "about": {"sv": "Om.", "en": "About."},
                         "self_care": [], "skeleton": []}))
    session.add(template)
    session.flush()
    first = len(session.exec(select(PlanReading)).all())
    for n in range(first, first + count):
        article = Article(template_id=template.id, slug=f"behandling-{n}", phase="treatment", content_hash="y" * 64,
                          data=json.dumps({lang: {"title": f"Text {n}", "summary": "Kort.", "body": "Text.",
                                                  "links": []} for lang in ("sv", "en")}))
        session.add(article)
        session.flush()
        session.add(PlanReading(plan_id=plan.id, article_id=article.id, read_at=utcnow() if n < first + read else None))
    plan.template_version = 1
    session.add(plan)
    session.commit()


def _form(session: Session, plan: CarePlan, nurse_user: User, key: str = "mabra", days: int = 0) -> None:
    """The care team asks for a form, due in `days` days (0: now)."""
    answering.import_definitions(session, load_all())
    answering.assign(session, plan.id, key, None, nurse_user, utcnow() + timedelta(days=days) - timedelta(minutes=1))
    session.commit()


def _relative(app: Flask, session: Session, patient: Patient, scopes: str) -> FlaskClient:
    account = factories.user(session, role=Role.RELATIVE)
    session.add(Delegation(patient_id=patient.id, relative_user_id=account.id, relation=Relation.PARTNER,
                           scopes=scopes, valid_from=stockholm_today() - timedelta(days=1),
                           valid_until=stockholm_today() + timedelta(days=30), status=DelegationStatus.ACTIVE,
                           invite_name="Per Ek", invite_email="per@example.se"))
    session.commit()
    return client_as(app, account)


def test_to_do_links_new_messages_forms_due_news_and_reading(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    nurse_user = session.get(User, nurse.user_id)
    factories.message(session, plan, nurse_user, "Hej Maria, hur mår du?")
    factories.message(session, plan, nurse_user, "Ring gärna i morgon.")
    _form(session, plan, nurse_user)  # also "Nytt i din plan": a form to answer
    _form(session, plan, nurse_user, key="behov", days=7)  # not due yet
    _readings(session, plan, 3, read=1)
    page = client_as(app, session.get(User, patient.user_id)).get("/plan/").get_data(as_text=True)

    todo = _todo(page)
    assert page.index("Att göra") < page.index('id="contact-heading"') < page.index('id="next-heading"')
    assert '<a class="mv-row-link" href="/plan/messages">2 nya meddelanden</a>' in todo
    assert '<a class="mv-row-link" href="/plan/forms">1 formulär att svara på</a>' in todo
    assert '<a class="mv-row-link" href="#news-heading">1 nyhet i planen</a>' in todo
    assert '<a class="mv-row-link" href="/plan/reading">2 texter att läsa</a>' in todo
    assert "Nytt: ett formulär att svara på" in page.split('id="news-heading"')[1]
    assert "<h1 tabindex=\"-1\">Min vårdplan</h1>" in page
    assert "Hej Maria!" in page


def test_nothing_to_do_says_so(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    _readings(session, plan, 2, read=2)
    answering.import_definitions(session, load_all())
    session.add(FormAssignment(plan_id=plan.id, questionnaire_key="mabra", due_at=utcnow() + timedelta(days=14),
                               created_by_user_id=nurse.user_id))  # asked for, but due in two weeks
    session.commit()
    todo = _todo(client_as(app, session.get(User, patient.user_id)).get("/plan/").get_data(as_text=True))
    assert "Inget att göra just nu." in todo
    assert "<a " not in todo


def test_to_do_queries_do_not_grow_with_reading_and_forms(app: Flask, session: Session, engine: Engine) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    nurse_user = session.get(User, nurse.user_id)
    _readings(session, plan, 1)
    _form(session, plan, nurse_user, key="mabra")
    client = client_as(app, session.get(User, patient.user_id))
    client.get("/plan/")
    few = _queries(engine, client)
    _readings(session, plan, 12, read=3)
    _form(session, plan, nurse_user, key="behov")
    page = client.get("/plan/").get_data(as_text=True)
    assert "10 texter att läsa" in page
    assert "2 formulär att svara på" in page
    assert _queries(engine, client) == few


def _queries(engine: Engine, client: FlaskClient) -> int:
    """The statements one request for the start page sends (counted from its first time, unlike `sent`)."""
    with counting(engine) as statements:
        assert client.get("/plan/").status_code == 200
    return len(statements)


def test_more_page_links_everything_the_patient_may_open(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=1)
    client = client_as(app, session.get(User, patient.user_id))
    start = client.get("/plan/").get_data(as_text=True)
    assert 'href="/plan/more"' in _nav(start)
    more = client.get("/plan/more")
    assert more.status_code == 200
    page = more.get_data(as_text=True)
    assert 'aria-current="page">Mer' in _nav(page)
    for path in ("/plan/relatives", "/plan/access-log", "/plan/sharing", "/plan/print", "/plan/my-data",
                 "/plan/settings"):
        assert f'href="{path}"' in page, path


def test_patient_without_a_plan_gets_no_links_to_plan_pages(app: Flask, session: Session) -> None:
    patient = factories.patient(session, pid=factories.personal_id("19750505"))
    client = client_as(app, session.get(User, patient.user_id))
    nav = _nav(client.get("/plan/").get_data(as_text=True))
    for path in ("/plan/timeline", "/plan/reading", "/plan/forms", "/plan/messages"):
        assert f'href="{path}"' not in nav, path
    assert 'href="/plan/more"' in nav
    page = client.get("/plan/more").get_data(as_text=True)
    for path in ("/plan/relatives", "/plan/access-log", "/plan/settings"):
        assert f'href="{path}"' in page, path
    for path in ("/plan/sharing", "/plan/my-data", "/plan/print"):  # these answer 404 without a plan
        assert f'href="{path}"' not in page, path
        assert client.get(path).status_code == 404


def test_relative_sees_only_what_the_scopes_allow(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    nurse_user = session.get(User, nurse.user_id)
    factories.message(session, plan, nurse_user, "Hej Maria")
    _form(session, plan, nurse_user)
    _readings(session, plan, 2)

    reader = _relative(app, session, patient, "plan")
    page = reader.get("/plan/").get_data(as_text=True)
    assert "<h1 tabindex=\"-1\">Marias vårdplan</h1>" in page
    assert "Hej Maria" not in page
    todo = _todo(page)
    assert 'href="/plan/reading">2 texter att läsa' in todo
    assert "/plan/messages" not in todo
    assert "/plan/forms" not in todo
    nav = _nav(page)
    assert "/plan/messages" not in nav
    assert "/plan/forms" not in nav
    assert 'href="/plan/more"' in nav
    more = reader.get("/plan/more").get_data(as_text=True)
    assert 'href="/plan/my-data"' in more
    for path in ("/plan/relatives", "/plan/access-log", "/plan/settings", "/plan/sharing"):
        assert f'href="{path}"' not in more, path
        assert reader.get(path).status_code == 403

    messages_only = _relative(app, session, patient, "messages_read")
    nav = _nav(messages_only.get("/plan/messages").get_data(as_text=True))
    assert 'href="/plan/messages"' in nav
    assert "/plan/more" not in nav
    assert "/plan/reading" not in nav
    assert messages_only.get("/plan/more").status_code == 403


def test_manifest_and_home_screen_icon_are_linked_and_served(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    manifest_url = re.search(r'<link rel="manifest" href="([^"]+)"', page).group(1)
    icon_url = re.search(r'<link rel="apple-touch-icon" href="([^"]+)"', page).group(1)
    with client.get(manifest_url) as response:
        assert response.status_code == 200
        assert response.mimetype == "application/manifest+json"
        manifest = json.loads(response.get_data())
    assert manifest["name"] == "Min vårdplan"
    assert manifest["theme_color"] == "#0b5a7a"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in [*(icon["src"] for icon in manifest["icons"]), icon_url]:
        with client.get(icon) as response:
            assert response.status_code == 200, icon
            assert response.mimetype.startswith("image/")


# --- diagnosis lists by name (the builder's choice and the caseload's filter) -----------------------------------------

def test_names_sort_in_the_readers_alphabet() -> None:
    names = {"a": "Äggstockscancer", "b": "Urinblåsecancer", "c": "bröstcancer", "d": "Åkomma", "e": "Örat", "f": "Hud"}
    assert [name for _code, name in builder.by_name(names, "sv")] == [
        "bröstcancer", "Hud", "Urinblåsecancer", "Åkomma", "Äggstockscancer", "Örat"]
    assert [name for _code, name in builder.by_name(names, "en")] == [
        "Äggstockscancer", "Åkomma", "bröstcancer", "Hud", "Örat", "Urinblåsecancer"]


def test_the_caseloads_diagnosis_filter_is_in_swedish_order(app: Flask, session: Session) -> None:
    _patient, _plan, nurse = factories.patient_with_plan(session, items=0)
    page = client_as(app, session.get(User, nurse.user_id)).get("/staff/").get_data(as_text=True)
    choice = page.split('name="diagnosis"')[1].split("</select>")[0]
    labels = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', choice)
    assert labels[0] == "Barncancer (ALL)"
    assert labels[-1] == "Äggstockscancer"
    assert labels.index("Urinblåsecancer") < labels.index("Äggstockscancer")
