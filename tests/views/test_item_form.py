"""The plan item form: a typed date or time makes the date exact by itself (no second change of "how exact"), a
precision chosen by hand is kept, bad dates keep what was typed, and after every in-place change the server marks
where keyboard focus goes (data-autofocus: the saved item, the Change button after Cancel, the error summary)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from portal.core.clock import in_stockholm, stockholm_today
from portal.models import DatePrecision, PlanItem
from portal.plans.services.builder import ItemInput
from tests import factories
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
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session, tmp_path: Path) -> World:
    """Maria's plan from the breast cancer content at Eva's unit: "Mammografi" and "Operation", each in a week."""
    pack = import_content(session, tmp_path / "v1")
    where = factories.unit(session, name="Kirurgmottagningen")
    nurse = factories.staff(session, where, name="Eva Lund")
    patient = factories.patient(session, name="Maria Ek")
    return World(where, nurse, patient, make_plan(session, patient, pack, nurse), pack)


@pytest.fixture
def nurse_client(client: FlaskClient, session: Session, world: World) -> FlaskClient:
    sign_in_staff(client, session, world.nurse)
    return client


def _week_item(session: Session, world: World) -> PlanItem:
    item = stored_items(session, world.plan.id)[1]  # "Operation", some time in week 6
    assert item.date_precision == DatePrecision.WEEK
    return item


def _shown(page: str) -> dict[str, str]:
    """The hidden fields that say what the form showed."""
    return {name: value for name, value in re.findall(r'name="(shown_\w+)" value="([^"]*)"', page)}


def test_edit_form_says_what_it_showed(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = _week_item(session, world)
    page = nurse_client.get(f"/staff/plans/{world.plan.id}/items/{item.id}/edit").get_data(as_text=True)
    assert _shown(page) == {"shown_day": in_stockholm(item.starts_at).date().isoformat(), "shown_precision": "week"}
    assert "data-item-form" in page
    assert 'aria-describedby="precision-hint"' in page  # "a new date or a time makes it an exact day"


def test_a_date_and_time_typed_on_a_week_item_make_it_exact(nurse_client: FlaskClient, session: Session,
                                                              world: World) -> None:
    item = _week_item(session, world)
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    day = stockholm_today() + timedelta(days=17)
    shown = _shown(nurse_client.get(path).get_data(as_text=True))
    response = post_form(nurse_client, path, item_data(title="Operation", day=day.isoformat(), clock="07:45",
                                                       precision="week", **shown))
    assert response.status_code == 303
    changed = stored_item(session, item.id)
    assert changed.date_precision == DatePrecision.TIME
    assert in_stockholm(changed.starts_at).replace(tzinfo=None) == datetime(day.year, day.month, day.day, 7, 45)


def test_a_date_typed_on_a_week_item_makes_it_an_exact_day(nurse_client: FlaskClient, session: Session,
                                                             world: World) -> None:
    item = _week_item(session, world)
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    day = stockholm_today() + timedelta(days=17)
    shown = _shown(nurse_client.get(path).get_data(as_text=True))
    post_form(nurse_client, path, item_data(day=day.isoformat(), clock="", precision="week", status="planned", **shown))
    changed = stored_item(session, item.id)
    assert changed.date_precision == DatePrecision.DAY
    assert in_stockholm(changed.starts_at).date() == day  # the day typed, not the Monday of its week


def test_a_week_item_left_alone_stays_a_week(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = _week_item(session, world)
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    shown = _shown(nurse_client.get(path).get_data(as_text=True))
    post_form(nurse_client, path, item_data(title="Operation (bröst)", day=shown["shown_day"], clock="",
                                            precision="week", status="planned", **shown))
    changed = stored_item(session, item.id)
    assert (changed.title, changed.date_precision) == ("Operation (bröst)", DatePrecision.WEEK)


def test_a_precision_chosen_by_hand_is_kept(nurse_client: FlaskClient, session: Session, world: World) -> None:
    """The browser marks the precision as chosen when the nurse changes it herself (after typing a date too)."""
    item = _week_item(session, world)
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    day = stockholm_today() + timedelta(days=40)
    shown = _shown(nurse_client.get(path).get_data(as_text=True))
    post_form(nurse_client, path, item_data(day=day.isoformat(), clock="", precision="month", status="planned",
                                            **{**shown, "shown_precision": "chosen"}))
    changed = stored_item(session, item.id)
    assert changed.date_precision == DatePrecision.MONTH
    assert in_stockholm(changed.starts_at).date() == day.replace(day=1)


def test_a_new_week_item_still_works(nurse_client: FlaskClient, session: Session, world: World) -> None:
    day = stockholm_today() + timedelta(days=30)
    page = nurse_client.get(f"/staff/plans/{world.plan.id}/items/new").get_data(as_text=True)
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new",
                         item_data(day=day.isoformat(), clock="", precision="week", status="planned", **_shown(page)))
    assert response.status_code == 303
    added = stored_items(session, world.plan.id)[-1]
    assert added.date_precision == DatePrecision.WEEK
    assert in_stockholm(added.starts_at).date() == day - timedelta(days=day.weekday())


def test_a_time_with_a_week_chosen_by_hand_is_refused(nurse_client: FlaskClient, session: Session,
                                                      world: World) -> None:
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new",
                         item_data(precision="week", clock="10:00", shown_day="", shown_precision="chosen"))
    assert response.status_code == 422
    assert "Du kan bara ange ett klockslag när dagen är exakt." in response.get_data(as_text=True)


def test_bad_date_keeps_what_was_typed_and_shows_the_exact_day(nurse_client: FlaskClient, session: Session,
                                                                world: World) -> None:
    item = _week_item(session, world)
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    shown = _shown(nurse_client.get(path).get_data(as_text=True))
    response = post_form(nurse_client, path, item_data(day="2027-02-30", clock="9.75", precision="week", **shown))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="2027-02-30"' in page
    assert 'value="9.75"' in page
    assert "Skriv datumet som 2027-03-14." in page  # translated, by the field it is about
    assert "Skriv klockslaget som 09:30." in page
    assert '<option value="day" selected>' in page  # what the form means now
    assert _shown(page) == shown  # and still what it first showed
    assert stored_item(session, item.id).date_precision == DatePrecision.WEEK


def test_meant_precision_reads_the_form_like_the_browser() -> None:
    shown = {"shown_day": "2027-03-08", "shown_precision": "week"}
    assert ItemInput.from_form({"day": "2027-03-08", "precision": "week", **shown}).precision == "week"
    assert ItemInput.from_form({"day": "2027-03-11", "precision": "week", **shown}).precision == "day"
    assert ItemInput.from_form({"day": "2027-03-08", "clock": "10:00", "precision": "week", **shown}).precision == "day"
    assert ItemInput.from_form({"day": "2027-03-11", "precision": "day", **shown}).precision == "day"
    chosen = {"day": "2027-03-11", "precision": "week", "shown_precision": "chosen"}
    assert ItemInput.from_form(chosen).precision == "week"
    assert ItemInput.from_form({"day": "2027-03-11", "precision": "month"}).precision == "month"  # a new item


# --- where focus goes ------------------------------------------------------------------------------------------------

def test_change_in_place_marks_the_first_field(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    inline = nurse_client.get(f"/staff/plans/{world.plan.id}/items/{item.id}/edit",
                              headers={**HTMX, "HX-Target": f"item-{item.id}"}).get_data(as_text=True)
    assert f'id="item-{item.id}" data-autofocus="field"' in inline
    assert f'hx-get="/staff/plans/{world.plan.id}/items/{item.id}"' in inline  # Cancel puts the item back
    assert f'href="/staff/plans/{world.plan.id}#item-{item.id}"' in inline  # and without JavaScript, the plan
    page = nurse_client.get(f"/staff/plans/{world.plan.id}/items/{item.id}/edit").get_data(as_text=True)
    assert 'data-autofocus="field"' not in page  # a page of its own starts at the top


def test_saved_in_place_marks_the_item(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    body = post_form(nurse_client, path, item_data(title="Mammografi 2"),
                     headers={**HTMX, "HX-Target": f"item-{item.id}"}).get_data(as_text=True)
    assert re.search(rf'<li [^>]*id="item-{item.id}" tabindex="-1" data-autofocus>', body)


def test_error_in_place_marks_the_error_summary(nurse_client: FlaskClient, session: Session, world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    path = f"/staff/plans/{world.plan.id}/items/{item.id}/edit"
    body = post_form(nurse_client, path, item_data(title=""), headers={**HTMX, "HX-Target": f"item-{item.id}"}
                     ).get_data(as_text=True)
    assert body.index('class="mv-error-summary" role="alert" tabindex="-1" data-autofocus') < body.index('id="title"')


def test_saved_on_a_page_of_its_own_marks_the_item_on_the_plan(nurse_client: FlaskClient, session: Session,
                                                               world: World) -> None:
    response = post_form(nurse_client, f"/staff/plans/{world.plan.id}/items/new", item_data(title="Ny"))
    added = stored_items(session, world.plan.id)[-1]
    page = nurse_client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf'id="item-{added.id}" tabindex="-1" data-autofocus>', page)
    assert page.count("data-autofocus") == 1


def test_cancel_in_place_brings_the_item_back_with_focus_on_change(nurse_client: FlaskClient, session: Session,
                                                                   world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/items/{item.id}", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith("<li")
    assert "<html" not in body
    assert re.search(r'<a class="mv-button mv-button--secondary" href="[^"]*/edit"[^>]*data-autofocus>Ändra', body)
    assert "HX-Request" in response.headers["Vary"]


def test_item_address_without_htmx_goes_to_the_plan(nurse_client: FlaskClient, session: Session,
                                                    world: World) -> None:
    item = stored_items(session, world.plan.id)[0]
    response = nurse_client.get(f"/staff/plans/{world.plan.id}/items/{item.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}#item-{item.id}"


def test_item_of_another_plan_is_404(nurse_client: FlaskClient, session: Session, world: World) -> None:
    other = factories.plan(session, factories.patient(session, name="Nils Ek"), world.unit)
    foreign = factories.item(session, other, title="Annan")
    assert nurse_client.get(f"/staff/plans/{world.plan.id}/items/{foreign.id}", headers=HTMX).status_code == 404


def test_participating_unit_sees_the_item_without_tools(client: FlaskClient, session: Session, world: World) -> None:
    where, nurse = second_unit(session)
    join(session, world.plan, where)
    sign_in_staff(client, session, nurse)
    item = stored_items(session, world.plan.id)[0]
    body = client.get(f"/staff/plans/{world.plan.id}/items/{item.id}", headers=HTMX).get_data(as_text=True)
    assert f'id="item-{item.id}"' in body
    assert "/edit" not in body
