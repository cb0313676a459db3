"""A new plan is a draft until the nurse shares it: the patient and relatives see no plan at all, the nurse previews it
as the patient will see it and writes the illness in plain words for this patient; sharing asks first, then shows the
plan and queues a notice without health information; later changes are listed as "Nytt i din plan"."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import NamedTuple

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.core.clock import stockholm_today, utcnow
from portal.models import (
    AccessEvent,
    CarePlan,
    ContentTemplate,
    Delegation,
    DelegationStatus,
    Notification,
    Patient,
    PlanChange,
    PlanItem,
    PlanReading,
    PlanVisit,
    Relation,
    Role,
    StaffMember,
    User,
)
from portal.notifications import mailer
from portal.notifications.services import send_due
from portal.plans.access import ACTING_KEY, ENDPOINT_RULES
from portal.plans.services import builder
from tests import factories
from tests.conftest import client_as, csrf_from
from tests.plan_builder import import_content

SUMMARY = "Du har bröstcancer."  # the national text of the test content (write_diagnosis)


class Draft(NamedTuple):
    nurse: StaffMember
    patient: Patient
    plan: CarePlan
    item: PlanItem
    relative: User
    delegation: Delegation


@pytest.fixture
def pack(tmp_path: Path, session: Session) -> ContentTemplate:
    return import_content(session, tmp_path / "v1")


@pytest.fixture
def draft(session: Session, pack: ContentTemplate) -> Draft:
    """Maria's plan, just made from the national content by Eva: a draft. Per helps Maria with every scope."""
    nurse = factories.staff(session, factories.unit(session, name="Kirurgmottagningen"))
    patient = factories.patient(session, name="Maria Ek")
    account = session.get(User, patient.user_id)
    account.contact_email, account.notify_messages = "maria@example.com", True
    made = builder.create_plan(session, patient, pack, nurse, session.get(User, nurse.user_id), stockholm_today())
    relative = factories.user(session, Role.RELATIVE, email="per@example.com")
    today = stockholm_today()
    delegation = Delegation(patient_id=patient.id, relative_user_id=relative.id, relation=Relation.PARTNER,
                            scopes="plan messages_read messages_send forms", invite_name="Per",
                            invite_email="per@example.com", valid_from=today - timedelta(days=1),
                            valid_until=today + timedelta(days=100), status=DelegationStatus.ACTIVE)
    session.add(delegation)
    session.commit()
    item = session.exec(select(PlanItem).where(PlanItem.plan_id == made.id)).first()
    return Draft(nurse, patient, made, item, relative, delegation)


def _nurse(app: Flask, session: Session, draft: Draft) -> FlaskClient:
    return client_as(app, session.get(User, draft.nurse.user_id))


def _relative(app: Flask, draft: Draft) -> FlaskClient:
    client = client_as(app, draft.relative)
    with client.session_transaction() as state:
        state[ACTING_KEY] = draft.delegation.id
    return client


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None, page: str = "/staff/"):  # noqa: ANN202
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _fresh(session: Session, plan: CarePlan) -> CarePlan:
    session.commit()
    session.expire_all()
    return session.get(CarePlan, plan.id)


def _patient_paths(app: Flask, draft: Draft, session: Session) -> list[str]:
    """Every patient page that takes no id or the draft's own ids."""
    article_id = session.exec(select(PlanReading.article_id).where(PlanReading.plan_id == draft.plan.id)).first()
    ids = {"item_id": draft.item.id, "article_id": article_id, "response_id": 1, "key": "x", "step": 1}
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ENDPOINT_RULES and "GET" in (rule.methods or set()) and set(rule.arguments) <= set(ids):
            paths.append(rule.build({name: ids[name] for name in rule.arguments})[1])
    return paths


# --- a draft is no plan for the patient -------------------------------------------------------------------------------

def test_a_new_plan_is_a_draft_and_the_nurse_sees_so(app: Flask, session: Session, draft: Draft) -> None:
    assert draft.plan.shared_at is None
    page = _nurse(app, session, draft).get(f"/staff/plans/{draft.plan.id}").get_data(as_text=True)
    assert "Utkast – patienten ser inte planen än" in page
    assert f'action="/staff/plans/{draft.plan.id}/share"' in page
    assert f'href="/staff/plans/{draft.plan.id}/preview"' in page


@pytest.mark.parametrize("who", ["patient", "relative"])
def test_a_draft_is_invisible_on_every_patient_page(app: Flask, session: Session, draft: Draft, who: str) -> None:
    client = client_as(app, session.get(User, draft.patient.user_id)) if who == "patient" else _relative(app, draft)
    paths = _patient_paths(app, draft, session)
    assert len(paths) >= 15
    for path in paths:
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 302, 303, 403, 404), path
        for secret in (SUMMARY, draft.item.title, "Bröstcancer"):
            assert secret not in body, path
    first_name = draft.patient.name.split(" ")[0]
    expected = "Du har ingen vårdplan här än." if who == "patient" else f"{first_name} har ingen vårdplan här än."
    assert expected in client.get("/plan/").get_data(as_text=True)


def test_a_patient_cannot_write_into_a_draft(app: Flask, session: Session, draft: Draft) -> None:
    client = client_as(app, session.get(User, draft.patient.user_id))
    assert _post(client, "/plan/what-matters", {"what_matters": "Min hund"}, page="/plan/").status_code == 404
    assert _post(client, "/plan/messages", {"body": "Hej", "client_token": "a" * 32},
                 page="/plan/").status_code == 404
    assert _fresh(session, draft.plan).what_matters == ""


# --- preview ----------------------------------------------------------------------------------------------------------

def test_the_preview_shows_the_patient_pages_and_is_logged_but_is_no_visit(app: Flask, session: Session,
                                                                            draft: Draft) -> None:
    client = _nurse(app, session, draft)
    start = client.get(f"/staff/plans/{draft.plan.id}/preview")
    timeline = client.get(f"/staff/plans/{draft.plan.id}/preview/timeline")
    assert start.status_code == timeline.status_code == 200
    start_page, timeline_page = start.get_data(as_text=True), timeline.get_data(as_text=True)
    assert "Förhandsvisning" in start_page
    assert "Min vårdplan</h1>" in start_page
    assert SUMMARY in start_page
    assert "Patienten ser inte planen än." in start_page
    assert draft.item.title in timeline_page
    assert 'class="mv-preview"' in timeline_page
    events = session.exec(select(AccessEvent).where(AccessEvent.actor_user_id == draft.nurse.user_id,
                                                    AccessEvent.resource == f"preview:{draft.plan.id}")).all()
    assert [(event.action, event.patient_id) for event in events] == [("read", draft.patient.id)] * 2
    assert session.exec(select(PlanVisit)).all() == []


# --- the illness in plain words ---------------------------------------------------------------------------------------

def test_the_illness_text_is_written_for_this_patient_and_can_go_back(app: Flask, session: Session,
                                                                     draft: Draft) -> None:
    client = _nurse(app, session, draft)
    path = f"/staff/plans/{draft.plan.id}/summary"
    response = _post(client, path, {"diagnosis_summary": "  Du har en liten tumör i bröstet.  ", "action": "save"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{draft.plan.id}?summary=saved#diagnosis-heading"
    assert _fresh(session, draft.plan).diagnosis_summary == "Du har en liten tumör i bröstet."
    assert "Texten om sjukdomen är sparad." in client.get(response.headers["Location"]).get_data(as_text=True)
    changes = select(PlanChange.what).where(PlanChange.plan_id == draft.plan.id).order_by(PlanChange.id)
    assert session.exec(changes).all()[-1] == "summary_changed"
    assert _post(client, path, {"diagnosis_summary": "", "action": "reset"}).status_code == 303
    assert _fresh(session, draft.plan).diagnosis_summary.startswith(SUMMARY)


@pytest.mark.parametrize(("typed", "error"), [("", "Skriv en text om sjukdomen"), ("   ", "Skriv en text om sjukdomen"),
                                              ("x" * 4001, "Skriv en kortare text (högst 4000 tecken).")])
def test_a_bad_illness_text_is_refused_and_kept(app: Flask, session: Session, draft: Draft, typed: str,
                                                error: str) -> None:
    before = draft.plan.diagnosis_summary
    response = _post(_nurse(app, session, draft), f"/staff/plans/{draft.plan.id}/summary",
                     {"diagnosis_summary": typed, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error in page
    assert 'class="mv-error-summary"' in page
    assert f">{typed.strip()}</textarea>" in page
    assert _fresh(session, draft.plan).diagnosis_summary == before


# --- sharing ----------------------------------------------------------------------------------------------------------

def test_sharing_asks_first_then_the_patient_sees_the_plan_and_gets_a_notice(app: Flask, session: Session,
                                                                             draft: Draft) -> None:
    client = _nurse(app, session, draft)
    path = f"/staff/plans/{draft.plan.id}/share"
    asked = _post(client, path)
    assert asked.status_code == 200
    assert "Ja, dela planen" in asked.get_data(as_text=True)
    assert _fresh(session, draft.plan).shared_at is None
    response = _post(client, path, {"confirm": "yes"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{draft.plan.id}?shared=1"
    plan = _fresh(session, draft.plan)
    assert plan.shared_at is not None
    assert plan.shared_by == draft.nurse.user_id
    notices = session.exec(select(Notification)).all()
    assert [(n.user_id, n.kind, n.payload) for n in notices] == [(draft.patient.user_id, "plan_shared", "")]
    assert session.exec(select(AccessEvent).where(AccessEvent.action == "update",
                                                  AccessEvent.resource == f"plan:{plan.id}")).one()
    assert "plan_shared" in session.exec(select(PlanChange.what).where(PlanChange.plan_id == plan.id)).all()
    page = client_as(app, session.get(User, draft.patient.user_id)).get("/plan/").get_data(as_text=True)
    assert SUMMARY in page
    assert SUMMARY in _relative(app, draft).get("/plan/").get_data(as_text=True)
    again = _post(client, path, {"confirm": "yes"})  # a second press changes nothing and sends nothing more
    assert again.status_code == 200
    assert len(session.exec(select(Notification)).all()) == 1


def test_the_notice_is_sent_and_says_nothing_about_health(app: Flask, session: Session, draft: Draft) -> None:
    client = _nurse(app, session, draft)
    assert _post(client, f"/staff/plans/{draft.plan.id}/share", {"confirm": "yes"}).status_code == 303
    sent: list[EmailMessage] = []
    with app.app_context():
        report = send_due(session, sent.append, utcnow() + timedelta(seconds=1), compose=mailer.compose_new_message,
                          compose_plan_shared=mailer.compose_plan_shared)
    assert report.sent == 1
    assert (sent[0]["To"], sent[0]["Subject"]) == ("maria@example.com", "Du har en vårdplan i Min vårdplan")
    body = sent[0].get_content()
    assert "/plan/" in body
    for secret in ("cancer", "Maria", draft.item.title):
        assert secret not in body


# --- "Nytt i din plan" ------------------------------------------------------------------------------------------------

def _add(session: Session, plan: CarePlan, nurse: StaffMember, title: str, days: int = 10) -> None:
    data = builder.ItemInput(title=title, phase="treatment", kind="treatment", status="booked",
                             day=(stockholm_today() + timedelta(days=days)).isoformat(), precision="day")
    checked, errors = builder.check_item(data, set(), stockholm_today())
    assert errors == {}
    builder.add_item(session, plan, session.get(User, nurse.user_id), checked)
    session.commit()


def test_news_lists_what_changed_since_the_patients_previous_visit(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    client = client_as(app, session.get(User, patient.user_id))
    assert "Nytt i din plan" not in client.get("/plan/").get_data(as_text=True)  # nothing since it was shared
    _add(session, plan, nurse, "Strålbehandling 1")
    page = client.get("/plan/").get_data(as_text=True)
    assert "Nytt i din plan" in page
    assert "Ny tid: Strålbehandling 1" in page
    # A new visit, an hour later: what was new last time is not new any more.
    visit = session.get(PlanVisit, (plan.id, patient.user_id))
    visit.visited_at = utcnow() - timedelta(hours=1)
    session.add(visit)
    for change in session.exec(select(PlanChange).where(PlanChange.plan_id == plan.id)).all():
        change.at = utcnow() - timedelta(hours=2)
        session.add(change)
    session.commit()
    _add(session, plan, nurse, "Läkarbesök")
    page = client.get("/plan/").get_data(as_text=True)
    assert "Läkarbesök" in page
    assert "Strålbehandling 1" not in page.split("news-heading")[1].split("</section>")[0]


def test_a_relatives_visit_does_not_reset_the_patients(app: Flask, session: Session, draft: Draft) -> None:
    draft.plan.shared_at = utcnow() - timedelta(days=1)
    session.add(draft.plan)
    session.commit()
    _add(session, draft.plan, draft.nurse, "Strålbehandling 1")
    assert "Strålbehandling 1" in _relative(app, draft).get("/plan/").get_data(as_text=True)
    assert session.get(PlanVisit, (draft.plan.id, draft.patient.user_id)) is None
    page = client_as(app, session.get(User, draft.patient.user_id)).get("/plan/").get_data(as_text=True)
    assert "Ny tid: Strålbehandling 1" in page


def test_news_is_short_and_leaves_out_the_patients_own_changes(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    for number in range(7):
        _add(session, plan, nurse, f"Besök {number}", days=number + 1)
    builder.set_what_matters(session, plan, session.get(User, patient.user_id), "Min hund")
    session.commit()
    page = client_as(app, session.get(User, patient.user_id)).get("/plan/").get_data(as_text=True)
    news = page.split('id="news-heading"')[1].split("</section>")[0]
    assert news.count("<li>") == 5
    assert "Besök 6" in news
    assert "Besök 1" not in news
    assert "Se hela planen" in news
    assert "Min hund" not in news
