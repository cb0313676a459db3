"""Keyboard only, on desktop: skip link, sign in, main menu, timeline, an item — no mouse at all; and where focus goes
in the nurse's plan builder after every change in place (document.activeElement)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from portal import db
from portal.models import CarePlan, Patient, PlanItem
from tests.e2e.conftest import DEMO_PASSWORD, EVA, MARIA, assert_accessible, screenshot, sign_in_with, totp_code

MAX_TABS = 40


def tab_until_focused(page: Page, target: Locator, max_presses: int = MAX_TABS) -> int:
    """Press Tab until `target` has focus; returns how many presses it took."""
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    focused = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{max_presses} Tab presses never reached {target}; focus is on {focused}")


def test_keyboard_first_tab_focuses_visible_skip_link(desktop_page: Page, demo: None) -> None:
    page = desktop_page
    page.goto("/login")

    page.keyboard.press("Tab")

    skip_link = page.locator("a.mv-skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main-content")
    expect(skip_link).to_be_in_viewport()


def test_keyboard_only_sign_in_timeline_and_item(desktop_page: Page, demo: None) -> None:
    page = desktop_page
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.locator("a.mv-skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.locator("#identifier")).to_be_focused()
    page.keyboard.type(MARIA)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login/verify$"))  # then the code from the app, by keyboard too
    tab_until_focused(page, page.locator("#code"))
    page.keyboard.type(totp_code(MARIA))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/plan/$"))

    tab_until_focused(page, page.locator("#site-nav a[href='/plan/timeline']"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/plan/timeline$"))
    expect(page.locator(".mv-timeline")).to_be_visible()
    expect(page.locator("main h1")).to_be_focused()

    first_item = page.locator(".mv-timeline__item a").first
    title = first_item.inner_text().strip()
    tab_until_focused(page, first_item)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/plan/items/\d+$"))
    expect(page.locator("main h1")).to_have_text(title)
    expect(page.locator("main h1")).to_be_focused()


# --- the nurse's plan builder: focus after every in-place change ----------------------------------------------------

def _marias_plan(app: Flask) -> int:
    with Session(db.get_engine(app)) as session:
        maria = session.exec(select(Patient).where(Patient.personal_id == MARIA.replace("-", ""))).one()
        return session.exec(select(CarePlan.id).where(CarePlan.patient_id == maria.id)).one()


def _focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.closest('[id]') ? document.activeElement.closest('[id]').id : ''")


def test_keyboard_focus_after_edit_save_cancel_and_error(desktop_page: Page, demo: None, app: Flask) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, EVA)
    plan_id = _marias_plan(app)
    page.goto(f"/staff/plans/{plan_id}")
    item = page.locator(".mv-builder__item").filter(has=page.locator("a[href$='/edit']")).first
    item_id = item.get_attribute("id")
    change = page.locator(f"#{item_id} a[href$='/edit']")

    # Change (Enter) → the form in place, focus on its first field; Enter in it saves → focus on the saved item.
    tab_until_focused(page, change, max_presses=200)
    page.keyboard.press("Enter")
    expect(page.locator(f"#{item_id} #title")).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("Samtal med läkaren")
    page.keyboard.press("Enter")
    saved = page.locator(f"li#{item_id}")
    expect(saved).to_contain_text("Samtal med läkaren")
    expect(saved).to_be_focused()
    assert page.evaluate("document.activeElement.id") == item_id
    assert_accessible(page)

    # Change → Cancel (Tab to it, Enter) → the item is back, focus on its Change button.
    page.keyboard.press("Tab")
    expect(change).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{item_id} #title")).to_be_focused()
    tab_until_focused(page, page.locator(f"#{item_id} a.mv-button--secondary").filter(has_text="Avbryt"))
    page.keyboard.press("Enter")
    expect(page.locator(f"li#{item_id} a[href$='/edit']")).to_be_focused()
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith("/edit")

    # An empty title → the error summary in place has focus; fixed → the item.
    page.keyboard.press("Enter")
    expect(page.locator(f"#{item_id} #title")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    summary = page.locator(f"#{item_id} .mv-error-summary")
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.classList.contains('mv-error-summary')")
    assert_accessible(page)
    tab_until_focused(page, page.locator(f"#{item_id} #title"))
    page.keyboard.type("Samtal med läkaren")
    page.keyboard.press("Enter")
    expect(page.locator(f"li#{item_id}")).to_be_focused()


def test_keyboard_a_typed_date_and_time_make_a_week_item_exact(desktop_page: Page, demo: None, app: Flask) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, EVA)
    plan_id = _marias_plan(app)
    with Session(db.get_engine(app)) as session:
        week = session.exec(select(PlanItem).where(PlanItem.plan_id == plan_id, PlanItem.date_precision == "week",
                                                   PlanItem.source == "staff")).first()
    assert week is not None, "the demo plan has an item planned for some week"
    page.goto(f"/staff/plans/{plan_id}")
    change = page.locator(f"#item-{week.id} a[href$='/edit']")
    tab_until_focused(page, change, max_presses=300)
    page.keyboard.press("Enter")
    form = page.locator(f"#item-{week.id} form")
    expect(form.locator("#precision")).to_have_value("week")
    day = date.today() + timedelta(days=21)
    tab_until_focused(page, form.locator("#day"))
    form.locator("#day").fill(day.isoformat())  # the date picker's segments, as one typed value
    expect(form.locator("#precision")).to_have_value("day")  # by itself
    tab_until_focused(page, form.locator("#clock"))
    form.locator("#clock").fill("09:30")
    screenshot(page, "staff-item-inline-desktop")
    page.keyboard.press("Enter")
    expect(page.locator(f"li#item-{week.id}")).to_be_focused()
    expect(page.locator(f"li#item-{week.id} .mv-timeline__when")).to_contain_text("09.30")
    assert_accessible(page)


def test_keyboard_week_chosen_by_hand_stays_a_week(desktop_page: Page, demo: None, app: Flask) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, EVA)
    plan_id = _marias_plan(app)
    page.goto(f"/staff/plans/{plan_id}/items/new")
    expect(page.locator("#precision")).to_have_value("day")
    page.locator("#title").fill("Kontroll av blodvärden")
    page.locator("#day").fill((date.today() + timedelta(days=30)).isoformat())
    page.locator("#precision").select_option("week")
    page.locator("#day").fill((date.today() + timedelta(days=31)).isoformat())  # a second date keeps the choice
    expect(page.locator("#precision")).to_have_value("week")
    page.locator("main form.mv-form button[type=submit]").click()
    added = page.locator(".mv-builder__item").filter(has_text="Kontroll av blodvärden")
    expect(added).to_be_focused()  # the new item, after a page of its own
    expect(added.locator(".mv-timeline__when")).to_contain_text("ecka")
