"""The nurse's plan builder: find a patient, make a plan from a diagnosis, tailor its items and reading, hand it over,
move it to newer content, and read its history. Permissions: the responsible unit writes, participating units read,
everyone else gets 404 (logged)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.content.services import store as content
from portal.core.clock import in_stockholm, stockholm_today
from portal.core.drafts import save_draft
from portal.models import (
    AccessEvent,
    Article,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    ContentTemplate,
    DatePrecision,
    Handover,
    ItemSource,
    ItemStatus,
    MessageDraft,
    Patient,
    Phase,
    PlanChange,
    PlanItem,
    PlanReading,
    ReadingResponse,
    StaffMember,
    TeamRole,
    User,
)
from tests import factories
from tests.conftest import count_rows, csrf_from, sign_in
from tests.plan_builder import (
    World,
    import_content,
    item_data,
    join,
    make_plan,
    post_form,
    second_unit,
    sign_in_staff,
    stored_item,
    stored_items,
    user,
)

# Version 2 of ARTICLES (tests/plan_builder.py): "trotthet" is the same, "fragor-till-lakaren" changes,
# "mat-och-aptit" goes and "motion" comes.
ARTICLES_V2 = {
    "fragor-till-lakaren": ("investigation", "Frågor att ställa till läkaren", "Questions to ask the doctor"),
    "trotthet": ("treatment", "Trötthet under behandlingen", "Tiredness during treatment"),
    "motion": ("rehabilitation", "Motion efter behandlingen", "Exercise after treatment"),
}


# --- helpers ---------------------------------------------------------------------------------------------------------

def _readings(session: Session, plan_id: int) -> dict[int, PlanReading]:
    session.commit()
    session.expire_all()
    return {r.article_id: r for r in session.exec(select(PlanReading).where(PlanReading.plan_id == plan_id)).all()}


def _changes(session: Session, plan_id: int) -> list[PlanChange]:
    session.commit()
    session.expire_all()
    return list(session.exec(select(PlanChange).where(PlanChange.plan_id == plan_id).order_by(PlanChange.id)).all())


def _events(session: Session, actor: StaffMember | User, action: str, resource: str | None = None) -> list[AccessEvent]:
    session.commit()
    session.expire_all()
    user_id = actor.user_id if isinstance(actor, StaffMember) else actor.id
    query = select(AccessEvent).where(AccessEvent.actor_user_id == user_id, AccessEvent.action == action)
    if resource is not None:
        query = query.where(AccessEvent.resource == resource)
    return list(session.exec(query.order_by(AccessEvent.id)).all())


def _team(session: Session, plan_id: int) -> dict[int, str]:
    """The current team: unit id → role."""
    session.commit()
    session.expire_all()
    rows = session.exec(select(CareTeamMembership).where(CareTeamMembership.plan_id == plan_id,
                                                         CareTeamMembership.until == None)).all()  # noqa: E711
    return {row.unit_id: row.role for row in rows}


def _fresh(session: Session, plan: CarePlan) -> CarePlan:
    session.commit()
    session.expire_all()
    return session.get(CarePlan, plan.id)


def _articles(session: Session, template: ContentTemplate) -> dict[str, Article]:
    return {article.slug: article for article in content.articles_of(session, template.id)}


def _position(page: str, item: PlanItem) -> int:
    return page.index(f'id="item-{item.id}"')


# --- fixtures --------------------------------------------------------------------------------------------------------

@pytest.fixture
def pack(tmp_path: Path, session: Session) -> ContentTemplate:
    """Breast cancer, version 1, published: two skeleton items and three articles."""
    return import_content(session, tmp_path / "v1")


@pytest.fixture
def world(session: Session, pack: ContentTemplate) -> World:
    where = factories.unit(session, name="Kirurgmottagningen")
    nurse = factories.staff(session, where, name="Eva Lund")
    patient = factories.patient(session, name="Maria Ek")
    return World(where, nurse, patient, make_plan(session, patient, pack, nurse), pack)


@pytest.fixture
def nurse_client(client: FlaskClient, session: Session, world: World) -> FlaskClient:
    sign_in_staff(client, session, world.nurse)
    return client


@pytest.fixture
def other_client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- finding a patient -----------------------------------------------------------------------------------------------

def test_find_page_has_a_search_form(client: FlaskClient, session: Session) -> None:
    sign_in_staff(client, session, factories.staff(session, factories.unit(session)))
    page = client.get("/staff/find").get_data(as_text=True)
    assert 'action="/staff/find"' in page
    assert 'name="q"' in page
    assert 'id="results-heading"' not in page


@pytest.mark.parametrize("written", ["plain", "dash", "spaces"])
def test_full_personal_number_finds_any_patient(client: FlaskClient, session: Session, written: str) -> None:
    nurse = factories.staff(session, factories.unit(session))
    patient = factories.patient(session, name="Nils Nyström")  # no plan anywhere: a new referral
    number = {"plain": patient.personal_id, "dash": f"{patient.personal_id[:8]}-{patient.personal_id[8:]}",
              "spaces": f" {patient.personal_id[:8]} {patient.personal_id[8:]} "}[written]
    sign_in_staff(client, session, nurse)
    response = post_form(client, "/staff/find", {"q": number})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="mv-list__item"') == 1
    assert "Nils Nyström" in page
    assert f"{patient.personal_id[:8]}-****" in page
    assert 'action="/staff/new-plan"' in page
    assert f'name="personal_id" value="{patient.personal_id}"' in page
    assert len(_events(session, nurse, "read", "patient_search")) == 1


def test_full_number_of_a_patient_at_another_unit_shows_no_way_in(client: FlaskClient, session: Session) -> None:
    patient, plan, _their_nurse = factories.patient_with_plan(session)
    nurse = factories.staff(session, factories.unit(session, name="Annan mottagning"))
    sign_in_staff(client, session, nurse)
    page = post_form(client, "/staff/find", {"q": patient.personal_id}).get_data(as_text=True)
    assert patient.name in page
    assert f'href="/staff/plans/{plan.id}"' not in page
    assert 'action="/staff/new-plan"' not in page


def test_name_finds_only_patients_with_plans_at_the_nurses_units(client: FlaskClient, session: Session) -> None:
    own, own_plan, nurse = factories.patient_with_plan(session)
    own.name = "Maria Ekström"
    session.add(own)
    session.commit()
    elsewhere, elsewhere_plan, _other_nurse = factories.patient_with_plan(session)
    elsewhere.name = "Marianne Ek"
    session.add(elsewhere)
    session.commit()
    factories.patient(session, name="Mari Eklund")  # no plan at all
    sign_in_staff(client, session, nurse)
    page = post_form(client, "/staff/find", {"q": "mari"}).get_data(as_text=True)
    assert page.count('class="mv-list__item"') == 1
    assert "Maria Ekström" in page
    assert f'href="/staff/plans/{own_plan.id}"' in page
    assert "Marianne Ek" not in page
    assert "Mari Eklund" not in page
    assert f'href="/staff/plans/{elsewhere_plan.id}"' not in page


def test_name_search_includes_plans_where_the_unit_participates(client: FlaskClient, session: Session) -> None:
    patient, plan, _their_nurse = factories.patient_with_plan(session)
    where, nurse = second_unit(session)
    join(session, plan, where)
    sign_in_staff(client, session, nurse)
    page = post_form(client, "/staff/find", {"q": patient.name}).get_data(as_text=True)
    assert f'href="/staff/plans/{plan.id}"' in page


def test_name_of_another_units_patient_is_not_found(client: FlaskClient, session: Session) -> None:
    patient, _plan, _their_nurse = factories.patient_with_plan(session)
    nurse = factories.staff(session, factories.unit(session, name="Annan mottagning"))
    sign_in_staff(client, session, nurse)
    page = post_form(client, "/staff/find", {"q": patient.name}).get_data(as_text=True)
    assert 'id="results-heading"' in page
    assert 'class="mv-list__item"' not in page
    assert patient.name not in page.split('id="results-heading"')[1]
    assert _events(session, nurse, "read", "patient_search") == []


def test_name_search_finds_a_name_with_swedish_capital_letters(client: FlaskClient, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session)
    patient.name = "Åsa Östlund"
    session.add(patient)
    session.commit()
    sign_in_staff(client, session, nurse)
    page = post_form(client, "/staff/find", {"q": "Östlund"}).get_data(as_text=True)
    assert f'href="/staff/plans/{plan.id}"' in page


# --- a new plan ------------------------------------------------------------------------------------------------------

def _new_plan_data(patient: Patient, member: StaffMember, **changes: str) -> dict[str, str]:
    data = {"personal_id": patient.personal_id, "create": "yes", "diagnosis": "brostcancer",
            "start": (stockholm_today() + timedelta(days=9)).isoformat(), "nurse": str(member.id)}
    data.update(changes)
    return data


@pytest.mark.usefixtures("pack")
def test_new_plan_form_offers_published_diagnoses_and_the_units_nurses(client: FlaskClient, session: Session) -> None:
    where = factories.unit(session)
    nurse = factories.staff(session, where, name="Eva Lund")
    colleague = factories.staff(session, where, name="Anna Holm")
    _other_unit, stranger = second_unit(session)
    patient = factories.patient(session)
    sign_in_staff(client, session, nurse)
    response = post_form(client, "/staff/new-plan", {"personal_id": patient.personal_id})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="brostcancer">' in page
    assert f'<option value="{nurse.id}" selected>' in page
    assert f'<option value="{colleague.id}">' in page
    assert f'value="{stranger.id}"' not in page
    assert 'name="create" value="yes"' in page
    assert count_rows(session, CarePlan) == 0
    assert patient.personal_id not in response.request.url


def test_create_plan_from_a_diagnosis(client: FlaskClient, session: Session, pack: ContentTemplate) -> None:
    where = factories.unit(session, name="Kirurgmottagningen")
    nurse = factories.staff(session, where, name="Eva Lund")
    patient = factories.patient(session, name="Maria Ek")
    sign_in_staff(client, session, nurse)
    start = stockholm_today() + timedelta(days=9)
    response = post_form(client, "/staff/new-plan", _new_plan_data(patient, nurse, start=start.isoformat()))
    assert response.status_code == 303
    plan = session.exec(select(CarePlan).where(CarePlan.patient_id == patient.id)).one()
    assert response.headers["Location"] == f"/staff/plans/{plan.id}?created=1"
    assert (plan.template_key, plan.template_version) == ("brostcancer", 1)
    assert plan.contact_nurse_id == nurse.id
    assert plan.diagnosis_summary == "Du har bröstcancer."
    assert _team(session, plan.id) == {where.id: TeamRole.RESPONSIBLE}
    monday = start - timedelta(days=start.weekday())
    items = stored_items(session, plan.id)
    assert [(i.title, i.phase, i.status, i.date_precision, i.unit_id, i.source) for i in items] == [
        ("Mammografi", Phase.INVESTIGATION, ItemStatus.PLANNED, DatePrecision.WEEK, where.id, ItemSource.STAFF),
        ("Operation", Phase.TREATMENT, ItemStatus.PLANNED, DatePrecision.WEEK, where.id, ItemSource.STAFF),
    ]
    assert [in_stockholm(i.starts_at).date() for i in items] == [monday, monday + timedelta(weeks=5)]
    assert items[0].preparation == "Ta med en lista över dina mediciner."
    assert set(_readings(session, plan.id)) == {a.id for a in _articles(session, pack).values()}
    assert [(c.what, c.actor_user_id) for c in _changes(session, plan.id)] == [("plan_created", nurse.user_id)]
    created = _events(session, nurse, "create", f"plan:{plan.id}")
    assert [(e.patient_id, e.unit_id) for e in created] == [(patient.id, where.id)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="status"' in page
    assert "Mammografi" in page
    assert "Operation" in page
    assert f'href="/staff/plans/{plan.id}/reading"' in page


@pytest.mark.usefixtures("pack")
def test_create_plan_without_a_start_date_starts_this_week(client: FlaskClient, session: Session) -> None:
    nurse = factories.staff(session, factories.unit(session))
    patient = factories.patient(session)
    sign_in_staff(client, session, nurse)
    assert post_form(client, "/staff/new-plan", _new_plan_data(patient, nurse, start="")).status_code == 303
    first = stored_items(session, session.exec(select(CarePlan)).one().id)[0]
    today = stockholm_today()
    assert in_stockholm(first.starts_at).date() == today - timedelta(days=today.weekday())


@pytest.mark.parametrize(("field", "change"), [
    ("diagnosis", {"diagnosis": "okand"}),
    ("diagnosis", {"diagnosis": ""}),
    ("diagnosis", {"diagnosis": "utkast"}),  # only a draft: not published, so no plan from it
    ("start", {"start": "2027-13-45"}),
    ("start", {"start": "nästa vecka"}),
    ("nurse", {"nurse": "stranger"}),
    ("nurse", {"nurse": "999999"}),
])
def test_create_plan_refuses_bad_choices_and_creates_nothing(client: FlaskClient, session: Session, tmp_path: Path,
                                                            pack: ContentTemplate, field: str,
                                                            change: dict[str, str]) -> None:
    import_content(session, tmp_path / "draft", key="utkast", publish=False)
    nurse = factories.staff(session, factories.unit(session))
    _other_unit, stranger = second_unit(session)
    patient = factories.patient(session)
    if change.get("nurse") == "stranger":
        change = {"nurse": str(stranger.id)}
    sign_in_staff(client, session, nurse)
    response = post_form(client, "/staff/new-plan", _new_plan_data(patient, nurse, **change))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert 'class="mv-error-summary"' in page
    if field == "start":
        assert f'value="{change["start"]}"' in page
    for model in (CarePlan, PlanItem, PlanReading, PlanChange, CareTeamMembership):
        assert count_rows(session, model) == 0


@pytest.mark.usefixtures("pack")
@pytest.mark.parametrize("number", ["199001011234", "19800101", "", "inte ett nummer"])
def test_new_plan_for_an_unknown_or_invalid_number_is_404(client: FlaskClient, session: Session, number: str) -> None:
    nurse = factories.staff(session, factories.unit(session))
    sign_in_staff(client, session, nurse)
    response = post_form(client, "/staff/new-plan", {"personal_id": number, "create": "yes", "diagnosis": "brostcancer",
                                                     "nurse": str(nurse.id)})
    assert response.status_code == 404
    assert count_rows(session, CarePlan) == 0
    assert len(_events(session, nurse, "denied", "new_plan")) == 1


def test_new_plan_for_a_patient_with_a_plan_at_another_unit_is_404(client: FlaskClient, session: Session,
                                                                   world: World) -> None:
    _where, stranger = second_unit(session)
    sign_in_staff(client, session, stranger)
    response = post_form(client, "/staff/new-plan", _new_plan_data(world.patient, stranger))
    assert response.status_code == 404
    assert count_rows(session, CarePlan) == 1
    assert _team(session, world.plan.id) == {world.unit.id: TeamRole.RESPONSIBLE}
    denied = _events(session, stranger, "denied", "new_plan")
    assert [e.patient_id for e in denied] == [world.patient.id]


def test_new_plan_for_a_patient_with_a_plan_at_the_own_unit_opens_it(nurse_client: FlaskClient, session: Session,
                                                                     world: World) -> None:
    response = post_form(nurse_client, "/staff/new-plan", _new_plan_data(world.patient, world.nurse))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}"
    assert count_rows(session, CarePlan) == 1


@pytest.mark.usefixtures("pack")
def test_sending_the_new_plan_form_twice_makes_one_plan(client: FlaskClient, session: Session) -> None:
    nurse = factories.staff(session, factories.unit(session))
    patient = factories.patient(session)
    sign_in_staff(client, session, nurse)
    first = post_form(client, "/staff/new-plan", _new_plan_data(patient, nurse))
    second = post_form(client, "/staff/new-plan", _new_plan_data(patient, nurse))
    plan = session.exec(select(CarePlan)).one()
    assert first.headers["Location"] == f"/staff/plans/{plan.id}?created=1"
    assert second.headers["Location"] == f"/staff/plans/{plan.id}"
    assert len(stored_items(session, plan.id)) == 2


@pytest.mark.usefixtures("pack")
def test_new_plan_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    nurse = factories.staff(session, factories.unit(session))
    patient = factories.patient(session)
    sign_in_staff(client, session, nurse)
    response = client.post("/staff/new-plan", data=_new_plan_data(patient, nurse))
    assert response.status_code == 400
    assert count_rows(session, CarePlan) == 0


# --- items -----------------------------------------------------------------------------------------------------------

def test_new_item_form_starts_in_the_chosen_phase_with_the_team_units(nurse_client: FlaskClient,
                                                                     world: World) -> None:
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/items/new?phase=rehabilitation")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="rehabilitation" selected>' in page
    assert re.search(rf'<option value="{world.unit.id}"( selected)?>Kirurgmottagningen</option>', page)
    assert f'action="/staff/plans/{world.plan.id}/items/new"' in page


def test_add_a_booked_item_with_date_and_time(nurse_client: FlaskClient, session: Session, world: World) -> None:
    day = stockholm_today() + timedelta(days=10)
    before = len(stored_items(session, world.plan.id))
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new",
                         item_data(day=day.isoformat(), clock="09:30", unit_id=str(world.unit.id)))
    assert response.status_code == 303
    items = stored_items(session, world.plan.id)
    assert len(items) == before + 1
    item = items[-1]
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?saved={item.id}#item-{item.id}"
    assert (item.title, item.phase, item.kind, item.status) == ("Strålbehandling 1", "treatment", "treatment", "booked")
    assert item.date_precision == DatePrecision.TIME
    assert in_stockholm(item.starts_at).replace(tzinfo=None) == datetime(day.year, day.month, day.day, 9, 30)
    assert (item.unit_id, item.location, item.preparation) == (world.unit.id, "Strålbehandlingen, plan 2",
                                                               "Kom fastande.")
    assert item.source == ItemSource.STAFF
    last = _changes(session, world.plan.id)[-1]
    assert (last.what, last.detail, last.actor_user_id) == ("item_added", "Strålbehandling 1", world.nurse.user_id)
    assert len(_events(session, world.nurse, "create", f"item:{item.id}")) == 1
    page = nurse_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="item-{item.id}"' in page
    assert "Strålbehandling 1" in page
    assert "Kom fastande." in page


@pytest.mark.parametrize("precision", [DatePrecision.WEEK, DatePrecision.MONTH])
def test_add_an_item_with_an_approximate_date(nurse_client: FlaskClient, session: Session, world: World,
                                              precision: str) -> None:
    day = stockholm_today() + timedelta(days=40)
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new",
                         item_data(day=day.isoformat(), clock="", precision=precision, status="planned"))
    assert response.status_code == 303
    item = stored_items(session, world.plan.id)[-1]
    stored = in_stockholm(item.starts_at).date()
    assert item.date_precision == precision
    expected = day - timedelta(days=day.weekday()) if precision == DatePrecision.WEEK else day.replace(day=1)
    assert stored == expected


def test_add_an_undated_item(nurse_client: FlaskClient, session: Session, world: World) -> None:
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new",
                         item_data(day="", clock="", status="planned", title="Samtal med kurator"))
    assert response.status_code == 303
    item = stored_items(session, world.plan.id)[-1]
    assert (item.title, item.starts_at) == ("Samtal med kurator", None)


@pytest.mark.parametrize(("field", "change"), [
    ("title", {"title": ""}),
    ("title", {"title": "x" * 201}),
    ("day", {"status": "planned", "day": "past", "clock": ""}),
    ("day", {"status": "booked", "day": "past"}),
    ("day", {"day": "14/3 2027"}),
    ("unit_id", {"unit_id": "other"}),
    ("unit_id", {"unit_id": "abc"}),
    ("clock", {"precision": DatePrecision.WEEK, "clock": "10:00"}),
    ("clock", {"clock": "25:99"}),
    ("day", {"day": "", "clock": "10:00"}),
    ("phase", {"phase": "later"}),
    ("status", {"status": "maybe"}),
])
def test_item_errors_are_422_and_save_nothing(nurse_client: FlaskClient, session: Session, world: World, field: str,
                                              change: dict[str, str]) -> None:
    other, _their_nurse = second_unit(session, name="Röntgen Annanstans")
    if change.get("day") == "past":
        change = {**change, "day": (stockholm_today() - timedelta(days=10)).isoformat()}
    if change.get("unit_id") == "other":
        change = {**change, "unit_id": str(other.id)}
    before = (len(stored_items(session, world.plan.id)), len(_changes(session, world.plan.id)))
    data = item_data(location="Röntgen, ingång B", **change)
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert 'class="mv-error-summary"' in page
    assert (len(stored_items(session, world.plan.id)), len(_changes(session, world.plan.id))) == before
    if data["title"]:
        assert f'value="{data["title"]}"' in page
    assert 'value="Röntgen, ingång B"' in page
    assert "Kom fastande.</textarea>" in page


def test_a_done_item_may_have_a_past_date(nurse_client: FlaskClient, session: Session, world: World) -> None:
    day = stockholm_today() - timedelta(days=10)
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new",
                         item_data(status="done", day=day.isoformat(), title="Vävnadsprov"))
    assert response.status_code == 303
    assert stored_items(session, world.plan.id)[-1].title == "Vävnadsprov"


def test_edit_an_item_on_its_own_page(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = stored_items(session, world.plan.id)[1]  # "Operation"
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    response = nurse_client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page
    assert 'value="Operation"' in page
    assert f'action="{path}"' in page
    assert '<option value="week" selected>' in page
    day = stockholm_today() + timedelta(days=20)
    response = post_form(nurse_client, path, item_data(title="Operation (bröst)", day=day.isoformat(), clock="07:15",
                                                       status="booked", unit_id=str(world.unit.id)))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?saved={item.id}#item-{item.id}"
    changed = stored_item(session, item.id)
    assert (changed.title, changed.status, changed.date_precision) == ("Operation (bröst)", "booked", "time")
    assert in_stockholm(changed.starts_at).replace(tzinfo=None) == datetime(day.year, day.month, day.day, 7, 15)
    last = _changes(session, world.plan.id)[-1]
    assert (last.what, last.detail) == ("item_changed", "Operation (bröst)")
    assert len(_events(session, world.nurse, "update", f"item:{item.id}")) == 1


def test_edit_form_shows_the_stored_time_of_day(nurse_client: FlaskClient, session: Session, world: World) -> None:
    day = stockholm_today() + timedelta(days=5)
    post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new", item_data(day=day.isoformat(), clock="09:30"))
    item = stored_items(session, world.plan.id)[-1]
    page = nurse_client.get(f"/staff/plans/{world.plan.id}/items/{item.id}/edit").get_data(as_text=True)
    assert f'value="{day.isoformat()}"' in page
    assert 'value="09:30"' in page


def test_edit_inline_with_htmx(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = stored_items(session, world.plan.id)[0]  # "Mammografi"
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    headers = {"HX-Request": "true", "HX-Target": f"item-{item.id}"}
    form = nurse_client.get(path, headers=headers).get_data(as_text=True)
    assert "<html" not in form
    assert f'id="item-{item.id}"' in form
    assert f'hx-post="{path}"' in form
    assert 'value="Mammografi"' in form
    day = stockholm_today() + timedelta(days=3)
    response = post_form(nurse_client, path, item_data(title="Mammografi och ultraljud", phase="investigation",
                                                       kind="examination", day=day.isoformat(), clock="10:00"),
                         headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith("<li")
    assert f'id="item-{item.id}"' in body
    assert "Mammografi och ultraljud" in body
    assert 'role="status"' in body
    assert stored_item(session, item.id).title == "Mammografi och ultraljud"


def test_edit_inline_with_an_error_returns_the_form_in_place(nurse_client: FlaskClient, session: Session,
                                                             world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    headers = {"HX-Request": "true", "HX-Target": f"item-{item.id}"}
    response = post_form(nurse_client, path,
                         item_data(title="Mammografi igen", status="planned",
                                   day=(stockholm_today() - timedelta(days=30)).isoformat(), clock=""),
                         headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in body
    assert f'id="item-{item.id}"' in body
    assert 'id="day-error"' in body
    assert 'value="Mammografi igen"' in body
    assert stored_item(session, item.id).title == "Mammografi"


def test_delete_asks_first_and_then_removes(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    item_id = item.id
    path = f"/staff/plans/{world.plan.id}/items/{item_id}/delete"
    response = post_form(nurse_client, path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'action="{path}"' in page
    assert 'name="confirm" value="yes"' in page
    assert "Mammografi" in page
    assert count_rows(session, PlanItem, PlanItem.id == item_id) == 1
    response = post_form(nurse_client, path, {"confirm": "yes"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?removed=1"
    assert count_rows(session, PlanItem, PlanItem.id == item_id) == 0
    last = _changes(session, world.plan.id)[-1]
    assert (last.what, last.detail) == ("item_removed", "Mammografi")
    assert len(_events(session, world.nurse, "delete", f"item:{item_id}")) == 1
    assert f'id="item-{item_id}"' not in nurse_client.get(response.headers["Location"]).get_data(as_text=True)


def test_move_up_and_down_among_undated_items(nurse_client: FlaskClient, session: Session, world: World) -> None:
    first, second, third = (factories.item(session, world.plan, days=None, title=title, precision=DatePrecision.DAY,
                                           status=ItemStatus.PLANNED)
                            for title in ("Samtal A", "Samtal B", "Samtal C"))
    base = f"/staff/plans/{world.plan.id}/items"
    response = post_form(nurse_client, f"{base}/{third.id}/move", {"direction": "up"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?moved=ok#item-{third.id}"
    page = nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    assert _position(page, first) < _position(page, third) < _position(page, second)
    assert _changes(session, world.plan.id)[-1].what == "item_moved"
    post_form(nurse_client, f"{base}/{first.id}/move", {"direction": "down"})
    page = nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    assert _position(page, third) < _position(page, first) < _position(page, second)


def test_move_refuses_past_a_dated_item_and_past_the_end(nurse_client: FlaskClient, session: Session,
                                                         world: World) -> None:
    undated = factories.item(session, world.plan, days=None, title="Samtal", precision=DatePrecision.DAY,
                             status=ItemStatus.PLANNED)  # after "Operation" (dated) in the treatment part
    changes = len(_changes(session, world.plan.id))
    base = f"/staff/plans/{world.plan.id}/items/{undated.id}/move"
    assert post_form(nurse_client, base, {"direction": "up"}).headers["Location"].endswith("?moved=dated#item-"
                                                                                          f"{undated.id}")
    assert post_form(nurse_client, base, {"direction": "down"}).headers["Location"].endswith("?moved=edge#item-"
                                                                                            f"{undated.id}")
    assert len(_changes(session, world.plan.id)) == changes


# --- who may do what -------------------------------------------------------------------------------------------------

def _writes(world: World, item: PlanItem, membership_id: int) -> list[tuple[str, str, dict[str, str]]]:
    plan = f"/staff/plans/{world.plan.id}"
    return [
        ("get", f"{plan}/items/new", {}),
        ("post", f"{plan}/items/new", item_data()),
        ("get", f"{plan}/items/{item.id}/edit", {}),
        ("post", f"{plan}/items/{item.id}/edit", item_data(title="Ändrad")),
        ("post", f"{plan}/items/{item.id}/delete", {"confirm": "yes"}),
        ("post", f"{plan}/items/{item.id}/move", {"direction": "down"}),
        ("post", f"{plan}/details", {"current_phase": "treatment", "personal_note": "Hej", "responsible_doctor": ""}),
        ("post", f"{plan}/reading", {}),
        ("get", f"{plan}/handover", {}),
        ("post", f"{plan}/handover", {"nurse": "1"}),
        ("post", f"{plan}/team/{membership_id}/remove", {}),
        ("get", f"{plan}/version", {}),
        ("post", f"{plan}/version", {"version": "2"}),
    ]


def _call(client: FlaskClient, method: str, path: str, data: dict[str, str]):  # noqa: ANN202
    return client.get(path) if method == "get" else post_form(client, path, data)


def test_a_participating_unit_reads_but_every_write_is_403(client: FlaskClient, session: Session,
                                                           world: World) -> None:
    where, reader = second_unit(session)
    join(session, world.plan, where)
    membership = session.exec(select(CareTeamMembership).where(CareTeamMembership.unit_id == where.id)).one()
    item = stored_items(session, world.plan.id)[0]
    before = (len(stored_items(session, world.plan.id)), len(_changes(session, world.plan.id)),
              len(_readings(session, world.plan.id)), _team(session, world.plan.id))
    sign_in_staff(client, session, reader)
    for method, path, data in _writes(world, item, membership.id):
        assert (method, path, _call(client, method, path, data).status_code) == (method, path, 403)
    after = (len(stored_items(session, world.plan.id)), len(_changes(session, world.plan.id)),
             len(_readings(session, world.plan.id)), _team(session, world.plan.id))
    assert after == before
    assert stored_item(session, item.id).title == "Mammografi"
    assert len(_events(session, reader, "denied")) == len(_writes(world, item, membership.id))
    page = client.get(f"/staff/plans/{world.plan.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mammografi" in text
    assert f"/items/{item.id}/edit" not in text
    assert f'action="/staff/plans/{world.plan.id}/details"' not in text
    assert f'href="/staff/plans/{world.plan.id}/handover"' not in text
    for path in ("reading", "history"):
        assert client.get(f"/staff/plans/{world.plan.id}/{path}").status_code == 200
    reading = client.get(f"/staff/plans/{world.plan.id}/reading").get_data(as_text=True)
    assert "disabled" in reading
    assert f'action="/staff/plans/{world.plan.id}/reading"' in reading
    assert len(_events(session, reader, "read", f"plan:{world.plan.id}")) == 1


def test_a_nurse_of_another_unit_gets_404_everywhere(client: FlaskClient, session: Session, world: World) -> None:
    _where, stranger = second_unit(session)
    item = stored_items(session, world.plan.id)[0]
    membership = session.exec(select(CareTeamMembership)).one()
    sign_in_staff(client, session, stranger)
    reads = [("get", f"/staff/plans/{world.plan.id}/{path}", {}) for path in ("reading", "history")]
    calls = [("get", f"/staff/plans/{world.plan.id}", {}), *reads, *_writes(world, item, membership.id)]
    for method, path, data in calls:
        response = _call(client, method, path, data)
        assert (method, path, response.status_code) == (method, path, 404)
        assert "Mammografi" not in response.get_data(as_text=True)
    assert len(_events(session, stranger, "denied")) == len(calls)
    assert _events(session, stranger, "read") == []
    assert stored_item(session, item.id).title == "Mammografi"


def test_an_item_of_another_plan_is_404(nurse_client: FlaskClient, session: Session, world: World) -> None:
    _patient, elsewhere, _their_nurse = factories.patient_with_plan(session, items=1)
    foreign = stored_items(session, elsewhere.id)[0]
    base = f"/staff/plans/{world.plan.id}/items/{foreign.id}"
    assert nurse_client.get(f"{base}/edit").status_code == 404
    assert post_form(nurse_client, f"{base}/edit", item_data(title="Kapad")).status_code == 404
    assert post_form(nurse_client, f"{base}/delete", {"confirm": "yes"}).status_code == 404
    assert post_form(nurse_client, f"{base}/move", {"direction": "up"}).status_code == 404
    assert stored_item(session, foreign.id).title == "Behandling 1"
    assert len(_events(session, world.nurse, "denied", f"item:{foreign.id}")) == 4


def test_an_unknown_plan_is_404(nurse_client: FlaskClient) -> None:
    assert nurse_client.get("/staff/plans/999999").status_code == 404
    assert post_form(nurse_client, "/staff/plans/999999/items/new", item_data()).status_code == 404


def test_the_nurse_cannot_change_the_patients_own_item(nurse_client: FlaskClient, session: Session,
                                                       world: World) -> None:
    own = factories.item(session, world.plan, days=12, title="Tandläkaren", status=ItemStatus.PLANNED,
                         precision=DatePrecision.DAY)
    own.source = ItemSource.PATIENT
    session.add(own)
    session.commit()
    assert f"/items/{own.id}/edit" not in nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/{own.id}/edit",
                         item_data(title="Tandläkaren (flyttad)"))
    assert response.status_code in (403, 404)
    assert stored_item(session, own.id).title == "Tandläkaren"


def test_a_stale_item_form_does_not_replace_the_nurses_message_draft(nurse_client: FlaskClient, session: Session,
                                                                     world: World) -> None:
    thread = f"/staff/plans/{world.plan.id}/messages"
    save_draft(session, world.nurse.user_id, "Hej Maria! Provsvaren har kommit.", thread)
    nurse_client.post(f"/staff/plans/{world.plan.id}/items/new", data=item_data(body="Mer om detta"))
    session.commit()
    session.expire_all()
    draft = session.get(MessageDraft, world.nurse.user_id)
    assert (draft.body, draft.path) == ("Hej Maria! Provsvaren har kommit.", thread)


def test_the_item_edit_form_is_logged_as_a_read(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    assert nurse_client.get(f"/staff/plans/{world.plan.id}/items/{item.id}/edit").status_code == 200
    assert len(_events(session, world.nurse, "read", f"item:{item.id}")) == 1


# --- plan details ----------------------------------------------------------------------------------------------------

def test_plan_details_are_saved(nurse_client: FlaskClient, session: Session, world: World) -> None:
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/details",
                         {"current_phase": "treatment", "responsible_doctor": "Dr. Sara Lind",
                          "personal_note": "Ring mig om du undrar något."})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?details=saved#details-heading"
    plan = _fresh(session, world.plan)
    assert (plan.current_phase, plan.responsible_doctor, plan.personal_note) == (
        "treatment", "Dr. Sara Lind", "Ring mig om du undrar något.")
    assert _changes(session, world.plan.id)[-1].what == "note_changed"


@pytest.mark.parametrize("change", [{"personal_note": "x" * 4001}, {"current_phase": "later"},
                                    {"responsible_doctor": "x" * 201}])
def test_plan_details_with_bad_values_save_nothing(nurse_client: FlaskClient, session: Session, world: World,
                                                   change: dict[str, str]) -> None:
    data = {"current_phase": "treatment", "responsible_doctor": "Dr. Sara Lind", "personal_note": "Hej", **change}
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/details", data)
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?details=error"
    plan = _fresh(session, world.plan)
    assert (plan.current_phase, plan.responsible_doctor, plan.personal_note) == ("investigation", "", "")


# --- reading ---------------------------------------------------------------------------------------------------------

def test_reading_page_lists_the_versions_articles_with_the_chosen_ones_checked(nurse_client: FlaskClient,
                                                                              session: Session, world: World) -> None:
    articles = _articles(session, world.template)
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/reading")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for article in articles.values():
        assert f'id="article-{article.id}" name="article" type="checkbox" value="{article.id}" checked' in page
    assert "Frågor till läkaren" in page
    assert "Mat och aptit" in page
    assert len(_events(session, world.nurse, "read", f"reading:{world.plan.id}")) == 1


def test_set_readings_keeps_answers_and_ignores_articles_of_other_content(nurse_client: FlaskClient,
                                                                         session: Session, tmp_path: Path,
                                                                         world: World) -> None:
    other = import_content(session, tmp_path / "prostata", key="prostatacancer")
    newer = import_content(session, tmp_path / "v2", articles=ARTICLES_V2, publish=False)
    articles = _articles(session, world.template)
    kept = _readings(session, world.plan.id)[articles["trotthet"].id]
    kept.read_at = kept.responded_at = datetime.now(UTC)
    kept.response = ReadingResponse.UNDERSTOOD
    session.add(kept)
    session.commit()
    foreign = [a.id for a in content.articles_of(session, other.id)] + [_articles(session, newer)["motion"].id]
    chosen = [articles["trotthet"].id, articles["mat-och-aptit"].id, *foreign, "abc"]
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/reading", [("article", str(n)) for n in chosen])
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}/reading?saved=1"
    readings = _readings(session, world.plan.id)
    assert set(readings) == {articles["trotthet"].id, articles["mat-och-aptit"].id}
    assert readings[articles["trotthet"].id].response == ReadingResponse.UNDERSTOOD
    assert readings[articles["trotthet"].id].read_at is not None
    last = _changes(session, world.plan.id)[-1]
    assert (last.what, last.detail) == ("reading_changed", "2")
    page = nurse_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="status"' in page
    assert f'value="{articles["fragor-till-lakaren"].id}" checked' not in page
    assert f'value="{articles["mat-och-aptit"].id}" checked' in page


def test_set_readings_to_nothing(nurse_client: FlaskClient, session: Session, world: World) -> None:
    assert post_form(nurse_client, f"/staff/plans/{world.plan.id}/reading").status_code == 303
    assert _readings(session, world.plan.id) == {}
    assert "(0/0)" in nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)


def _state(page: str, article: Article) -> str:
    match = re.search(rf'id="article-{article.id}-state">(.*?)</p>', page, re.DOTALL)
    assert match, f"no state for article {article.slug}"
    return " ".join(match.group(1).split())


def test_the_nurse_sees_what_the_patient_read_and_understood(nurse_client: FlaskClient, other_client: FlaskClient,
                                                             session: Session, world: World) -> None:
    articles = _articles(session, world.template)
    understood, opened, untouched = articles["trotthet"], articles["fragor-till-lakaren"], articles["mat-och-aptit"]
    plan_page = nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    assert "(0/3)" in plan_page
    before = nurse_client.get(f"/staff/plans/{world.plan.id}/reading").get_data(as_text=True)
    assert _state(before, understood) == _state(before, untouched)
    sign_in(other_client, world.patient.personal_id, factories.PASSWORD)
    assert other_client.get(f"/plan/reading/{opened.id}").status_code == 200
    token = csrf_from(other_client.get(f"/plan/reading/{understood.id}").get_data(as_text=True))
    response = other_client.post(f"/plan/reading/{understood.id}", data={"csrf_token": token,
                                                                       "response": "understood"})
    assert response.status_code == 303
    after = nurse_client.get(f"/staff/plans/{world.plan.id}/reading").get_data(as_text=True)
    year = str(stockholm_today().year)
    assert year in _state(after, understood)
    assert year in _state(after, opened)
    assert _state(after, understood) != _state(after, opened)
    assert year not in _state(after, untouched)
    assert _state(after, untouched) == _state(before, untouched)
    assert "(1/3)" in nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)


# --- handover --------------------------------------------------------------------------------------------------------

def test_handover_page_lists_the_team_and_nurses_of_every_unit(nurse_client: FlaskClient, session: Session,
                                                                world: World) -> None:
    _where, receiver = second_unit(session)
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/handover")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<option value="{receiver.id}">' in page
    assert "Karin Berg" in page
    assert "Kirurgmottagningen" in page
    assert "/remove" not in page  # the responsible unit cannot be removed
    assert len(_events(session, world.nurse, "read", f"team:{world.plan.id}")) == 1


def _hand_over(sender: FlaskClient, receiver: FlaskClient, session: Session, world: World, where: CareUnit,
               nurse: StaffMember) -> None:
    """Send the handover (confirmed) and accept it as the receiving nurse."""
    response = post_form(sender, f"/staff/plans/{world.plan.id}/handover",
                         {"to_unit": str(where.id), "nurse": str(nurse.id), "note": "Tar över.", "confirm": "yes"})
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?handover_started=1"
    handover = session.exec(select(Handover)).one()
    sign_in_staff(receiver, session, nurse)
    assert post_form(receiver, f"/staff/handovers/{handover.id}/accept").status_code == 303


def test_handover_to_another_unit(nurse_client: FlaskClient, other_client: FlaskClient, session: Session,
                                  world: World) -> None:
    where, receiver = second_unit(session)
    _hand_over(nurse_client, other_client, session, world, where, receiver)
    plan = _fresh(session, world.plan)
    assert plan.contact_nurse_id == receiver.id
    assert _team(session, world.plan.id) == {where.id: TeamRole.RESPONSIBLE, world.unit.id: TeamRole.PARTICIPATING}
    last = _changes(session, world.plan.id)[-1]
    assert (last.what, last.detail, last.actor_user_id) == ("handed_over", where.name, receiver.user_id)
    assert len(_events(session, world.nurse, "create")) >= 1
    # The unit that had it can still read, but not change.
    page = nurse_client.get(f"/staff/plans/{world.plan.id}")
    assert page.status_code == 200
    assert "Karin Berg" in page.get_data(as_text=True)
    assert post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new", item_data()).status_code == 403
    # The receiving unit now changes the plan.
    assert post_form(other_client, f"/staff/plans/{world.plan.id}/items/new",
                     item_data(title="Cytostatika 1", unit_id=str(where.id))).status_code == 303
    assert stored_items(session, world.plan.id)[-1].title == "Cytostatika 1"


def test_handover_to_a_unit_that_already_participates(nurse_client: FlaskClient, other_client: FlaskClient,
                                                      session: Session, world: World) -> None:
    where, receiver = second_unit(session)
    join(session, world.plan, where)
    _hand_over(nurse_client, other_client, session, world, where, receiver)
    assert _team(session, world.plan.id) == {where.id: TeamRole.RESPONSIBLE, world.unit.id: TeamRole.PARTICIPATING}
    assert count_rows(session, CareTeamMembership, CareTeamMembership.plan_id == world.plan.id) == 2


def test_handover_to_a_deactivated_nurse_is_refused(nurse_client: FlaskClient, session: Session,
                                                    world: World) -> None:
    where, gone = second_unit(session, nurse_name="Slutat Nyberg")
    account = user(session, gone)
    account.is_active = False
    session.add(account)
    session.commit()
    assert "Slutat Nyberg" not in nurse_client.get(f"/staff/plans/{world.plan.id}/handover").get_data(as_text=True)
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/handover",
                         {"to_unit": str(where.id), "nurse": str(gone.id), "note": "Tar över.", "confirm": "yes"})
    assert response.status_code == 422
    assert 'id="nurse-error"' in response.get_data(as_text=True)
    assert count_rows(session, Handover) == 0


def test_removing_the_participating_unit_ends_its_read_access(nurse_client: FlaskClient, other_client: FlaskClient,
                                                              session: Session, world: World) -> None:
    where, receiver = second_unit(session)
    _hand_over(nurse_client, other_client, session, world, where, receiver)
    old = session.exec(select(CareTeamMembership).where(CareTeamMembership.unit_id == world.unit.id)).one()
    team_page = other_client.get(f"/staff/plans/{world.plan.id}/handover").get_data(as_text=True)
    assert f'action="/staff/plans/{world.plan.id}/team/{old.id}/remove"' in team_page
    response = post_form(other_client, f"/staff/plans/{world.plan.id}/team/{old.id}/remove")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}/handover"
    assert _team(session, world.plan.id) == {where.id: TeamRole.RESPONSIBLE}
    last = _changes(session, world.plan.id)[-1]
    assert (last.what, last.detail) == ("unit_removed", "Kirurgmottagningen")
    assert nurse_client.get(f"/staff/plans/{world.plan.id}").status_code == 404
    assert nurse_client.get(f"/staff/plans/{world.plan.id}/history").status_code == 404
    assert f'href="/staff/plans/{world.plan.id}"' not in post_form(
        nurse_client, "/staff/find", {"q": "Maria"}).get_data(as_text=True)


def test_the_responsible_unit_cannot_be_removed(nurse_client: FlaskClient, session: Session, world: World) -> None:
    own = session.exec(select(CareTeamMembership).where(CareTeamMembership.plan_id == world.plan.id)).one()
    changes = len(_changes(session, world.plan.id))
    post_form(nurse_client, f"/staff/plans/{world.plan.id}/team/{own.id}/remove")
    assert _team(session, world.plan.id) == {world.unit.id: TeamRole.RESPONSIBLE}
    assert len(_changes(session, world.plan.id)) == changes


def test_removing_a_membership_of_another_plan_is_404(nurse_client: FlaskClient, session: Session,
                                                      world: World) -> None:
    _patient, elsewhere, _their_nurse = factories.patient_with_plan(session, items=0)
    foreign = session.exec(select(CareTeamMembership).where(CareTeamMembership.plan_id == elsewhere.id)).one()
    assert post_form(nurse_client, f"/staff/plans/{world.plan.id}/team/{foreign.id}/remove").status_code == 404
    assert _team(session, elsewhere.id) == {foreign.unit_id: TeamRole.RESPONSIBLE}


# --- newer content ---------------------------------------------------------------------------------------------------

def test_no_version_link_while_the_plan_uses_the_newest_content(nurse_client: FlaskClient, session: Session,
                                                                tmp_path: Path, world: World) -> None:
    link = f'href="/staff/plans/{world.plan.id}/version"'
    assert link not in nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    import_content(session, tmp_path / "v2", articles=ARTICLES_V2, publish=False)  # a draft is not offered
    assert link not in nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    page = nurse_client.get(f"/staff/plans/{world.plan.id}/version")
    assert page.status_code == 200
    assert 'name="version"' not in page.get_data(as_text=True)


def test_a_published_newer_version_is_linked_and_its_changes_listed(nurse_client: FlaskClient, session: Session,
                                                                    tmp_path: Path, world: World) -> None:
    newer = import_content(session, tmp_path / "v2", articles=ARTICLES_V2)
    assert newer.version == 2
    plan_page = nurse_client.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    assert f'href="/staff/plans/{world.plan.id}/version"' in plan_page
    page = nurse_client.get(f"/staff/plans/{world.plan.id}/version").get_data(as_text=True)
    sections = page.split("<h2>")[1:4]
    assert len(sections) == 3
    added, removed, changed = sections
    assert "Motion efter behandlingen" in added
    assert "Mat och aptit" in removed
    assert "Frågor att ställa till läkaren" in changed
    assert "Trötthet under behandlingen" not in page.split("<h2>", 1)[1]
    assert 'name="version" value="2"' in page


def test_moving_to_the_newer_version_keeps_unchanged_reading(nurse_client: FlaskClient, session: Session,
                                                             tmp_path: Path, world: World) -> None:
    old = _articles(session, world.template)
    readings = _readings(session, world.plan.id)
    now = datetime.now(UTC)
    for slug in ("trotthet", "fragor-till-lakaren", "mat-och-aptit"):
        reading = readings[old[slug].id]
        reading.read_at = reading.responded_at = now
        reading.response = ReadingResponse.UNDERSTOOD
        session.add(reading)
    session.commit()
    newer = import_content(session, tmp_path / "v2", articles=ARTICLES_V2)
    new = _articles(session, newer)
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/version", {"version": "2"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?moved_version=2"
    assert _fresh(session, world.plan).template_version == 2
    after = _readings(session, world.plan.id)
    assert set(after) == {new["trotthet"].id, new["fragor-till-lakaren"].id}  # "motion" is not chosen by itself
    kept, reset = after[new["trotthet"].id], after[new["fragor-till-lakaren"].id]
    assert (kept.response, kept.read_at is not None) == (ReadingResponse.UNDERSTOOD, True)
    assert (reset.response, reset.read_at, reset.responded_at) == (None, None, None)
    last = _changes(session, world.plan.id)[-1]
    assert (last.what, last.detail) == ("version_moved", "2")
    assert len(_events(session, world.nurse, "update", f"plan:{world.plan.id}")) == 1
    plan_page = nurse_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/staff/plans/{world.plan.id}/version"' not in plan_page
    assert "(1/2)" in plan_page
    reading_page = nurse_client.get(f"/staff/plans/{world.plan.id}/reading").get_data(as_text=True)
    assert "Motion efter behandlingen" in reading_page
    assert "Mat och aptit" not in reading_page


@pytest.mark.parametrize("version", ["1", "3", ""])
def test_moving_to_another_version_number_changes_nothing(nurse_client: FlaskClient, session: Session,
                                                          tmp_path: Path, world: World, version: str) -> None:
    import_content(session, tmp_path / "v2", articles=ARTICLES_V2)
    before = set(_readings(session, world.plan.id))
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/version", {"version": version})
    assert response.status_code == 200
    assert _fresh(session, world.plan).template_version == 1
    assert set(_readings(session, world.plan.id)) == before


# --- history ---------------------------------------------------------------------------------------------------------

def test_history_lists_every_change_with_who_did_it(nurse_client: FlaskClient, other_client: FlaskClient,
                                                    session: Session, world: World) -> None:
    post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new", item_data(title="Strålbehandling 1"))
    sign_in(other_client, world.patient.personal_id, factories.PASSWORD)
    token = csrf_from(other_client.get("/plan/what-matters").get_data(as_text=True))
    other_client.post("/plan/what-matters", data={"csrf_token": token, "what_matters": "Min hund Sixten."})
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/history")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    rows = page.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == len(_changes(session, world.plan.id)) == 3
    body = page.split("<tbody>")[1]
    assert body.count("Eva Lund") == 2
    assert "Maria Ek" in body
    assert "Strålbehandling 1" in page
    newest_first = page.index("Maria Ek", page.index("<tbody>")) < page.index("Strålbehandling 1")
    assert newest_first
    assert len(_events(session, world.nurse, "read", f"history:{world.plan.id}")) == 1


def test_a_change_and_its_access_log_event_are_one_transaction(nurse_client: FlaskClient, session: Session,
                                                               world: World, app: Flask,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """If the log cannot be written, the change is not saved either: no change without its AccessEvent. (The event
    is written when the request commits; here its table is not there.)"""
    from sqlalchemy import MetaData

    from portal.core import access_log

    before = len(stored_items(session, world.plan.id))
    gone = access_log.EVENTS.to_metadata(MetaData(), name="access_event_that_is_down")
    monkeypatch.setattr(access_log, "EVENTS", gone)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new", item_data(title="Utan logg"))
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert len(stored_items(session, world.plan.id)) == before
    assert count_rows(session, PlanChange, PlanChange.detail == "Utan logg") == 0
