"""The start page on a phone and a desktop (issue 14): "Att göra" at the top, the call button on the first screen at
390×844, a compact header (at most 140 px at 390 px, nothing sideways at 320 px), "Mer" in the navigation, the web app
manifest; and a patient without a plan gets no links to plan pages. axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from portal import db
from portal.models import CarePlan, Patient, User
from tests import factories
from tests.e2e.conftest import EVA, MARIA, assert_accessible, horizontal_overflow, screenshot, sign_in_with

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MAX_HEADER = 140


def _bottom(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def _more(page: Page) -> None:
    """'Mer' in the navigation: the pages that are not in the menu."""
    page.locator("#site-nav").get_by_role("link", name="Mer").click()
    expect(page.locator("main h1")).to_have_text("Mer")
    expect(page.locator("#site-nav a[aria-current=page]")).to_have_text("Mer")
    assert_accessible(page)


def _nurse_writes_to_maria(app: Flask) -> None:
    with Session(db.get_engine(app)) as session:
        maria = session.exec(select(Patient).where(Patient.personal_id == MARIA.replace("-", ""))).one()
        plan = session.exec(select(CarePlan).where(CarePlan.patient_id == maria.id)).one()
        factories.message(session, plan, session.exec(select(User).where(User.email == EVA)).one(),
                          "Hej Maria! Provsvaren har kommit. Ring oss gärna.")


def test_marias_start_page_is_a_to_do_with_the_call_button_on_the_first_screen(
        make_context: Callable[..., BrowserContext], app: Flask, demo: None) -> None:
    _nurse_writes_to_maria(app)  # four lines to do: a message, forms, news and reading
    phone = make_context(viewport=PHONE)
    page = phone.new_page()
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/$"))
    todo = page.locator(".mv-todo")
    expect(todo.locator("h2")).to_have_text("Att göra")
    expect(todo.get_by_role("link", name="1 nytt meddelande")).to_be_visible()
    expect(todo.get_by_role("link", name=re.compile(r"^\d+ formulär att svara på$"))).to_be_visible()
    expect(todo.get_by_role("link", name=re.compile(r"^\d+ texter? att läsa$"))).to_be_visible()
    assert _bottom(page, ".mv-contact a.mv-button[href^='tel:']") <= PHONE["height"]  # "Ring …" without scrolling
    assert _bottom(page, "header.mv-header") <= MAX_HEADER + _bottom(page, ".mv-demo-banner")
    assert page.locator("header.mv-header").bounding_box()["height"] <= MAX_HEADER
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    screenshot(page, "start-page-390")

    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(href)
    assert manifest.ok
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["name"] == "Min vårdplan"

    todo.get_by_role("link", name=re.compile("formulär att svara på")).click()
    expect(page.locator("main h1")).to_have_text("Formulär")
    _more(page)
    for name in ("Närstående", "Vem har tittat?", "Inställningar"):
        expect(page.locator("main").get_by_role("link", name=name)).to_be_visible()
    screenshot(page, "more-page-390")

    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) == 0
    page.goto("/plan/")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    screenshot(page, "start-page-320")

    desktop = make_context(viewport=DESKTOP)
    desktop.add_cookies(phone.cookies())
    page = desktop.new_page()
    page.goto("/plan/")
    expect(page.locator(".mv-todo")).to_be_visible()
    assert _bottom(page, ".mv-contact a.mv-button[href^='tel:']") <= DESKTOP["height"]
    assert_accessible(page)
    screenshot(page, "start-page-1280")
    _more(page)


def test_a_patient_without_a_plan_sees_no_links_to_plan_pages(
        make_context: Callable[..., BrowserContext], app: Flask) -> None:
    number = factories.personal_id("19550303")
    with Session(db.get_engine(app)) as session:
        factories.patient(session, name="Olle Berg", pid=number)  # an account, and no plan yet
    page = make_context(viewport=PHONE).new_page()
    page.goto("/login")
    sign_in_with(page, number, factories.PASSWORD)
    expect(page.locator("main h1")).to_have_text("Min vårdplan")
    nav = page.locator("#site-nav")
    expect(nav.get_by_role("link")).to_have_text(["Min vårdplan", "Mer"])
    assert page.locator("header.mv-header").bounding_box()["height"] <= MAX_HEADER
    assert_accessible(page)
    _more(page)
    expect(page.locator("main").get_by_role("link", name="Närstående")).to_be_visible()
    expect(page.locator("main a[href='/plan/my-data']")).to_have_count(0)
    screenshot(page, "more-page-without-plan-390")
