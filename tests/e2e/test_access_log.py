"""The readable access log in the browser, at 390 px and 1280 px: Maria's page shows Eva's 15-minute session as one
card; Eva's review filters (a GET form), shows a visit's single events on a click, and says what is wrong with a bad
date. axe-core on every state; screenshots in test-results/screenshots (and in $SHOTS_DIR if set)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect
from sqlmodel import Session, select

from portal import db
from portal.models import CarePlan, Patient
from tests.e2e.conftest import EVA, MARIA, assert_accessible, context_for, horizontal_overflow, screenshot, sign_in_with

SHOTS = os.environ.get("SHOTS_DIR")  # also keep the pictures here (the lead looks at them), besides test-results
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(WIDTHS))
def sized_page(request: pytest.FixtureRequest, browser: Browser, playwright: Playwright,
               live_server: str) -> Iterator[Page]:
    """A page 390 px wide (a phone) or 1280 px (a desktop)."""
    context = context_for(browser, playwright, "desktop", live_server)
    page = context.new_page()
    page.set_viewport_size(WIDTHS[request.param])
    page.width_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def _shot(page: Page, name: str) -> None:
    width = page.width_name  # type: ignore[attr-defined]
    screenshot(page, f"{name}-{width}")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)


def _marias_plan(app: Flask) -> int:
    with Session(db.get_engine(app)) as session:
        maria = session.exec(select(Patient).where(Patient.personal_id == MARIA.replace("-", ""))).one()
        return session.exec(select(CarePlan.id).where(CarePlan.patient_id == maria.id)).first() or 0


def test_maria_sees_evas_session_as_one_card(sized_page: Page, demo: None) -> None:
    page = sized_page
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.goto("/plan/access-log")
    expect(page.locator("main h1")).to_be_visible()
    cards = page.locator(".mv-visit")
    expect(cards.filter(has_text="14.02–14.17")).to_have_count(1)
    session = cards.filter(has_text="14.02–14.17")
    expect(session).to_contain_text("Eva Lund")
    expect(session).to_contain_text("Tittade på vårdplanen och meddelandena, ändrade 2 händelser i planen.")
    expect(cards.filter(has_text="Per Ek")).to_have_count(2)  # her partner's two evenings
    assert cards.count() <= 8  # a few weeks in a few cards
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    _shot(page, "patient-access-log")


def test_eva_filters_the_review_and_opens_a_visits_events(sized_page: Page, demo: None, app: Flask) -> None:
    page = sized_page
    page.goto("/login")
    sign_in_with(page, EVA)
    plan_id = _marias_plan(app)
    page.goto(f"/staff/plans/{plan_id}/access-log")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("#log-rows > tr").filter(has_text="14.02–14.17")).to_have_count(1)
    assert_accessible(page)
    _shot(page, "staff-access-log")

    page.locator("#kind").select_option("change")
    page.locator("form.mv-log-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"kind=change"))
    expect(page.locator("#log-rows > tr")).to_have_count(1)
    visit = page.locator("#log-rows > tr").first
    visit.locator("summary").click()
    expect(visit.locator(".mv-visit__list li")).to_have_count(2)
    expect(page.locator("#kind")).to_have_value("change")  # the form keeps the choice
    assert_accessible(page)
    _shot(page, "staff-access-log-filtered")

    page.goto(f"/staff/plans/{plan_id}/access-log?from=2027-02-30&to=2027-01-01")
    expect(page.locator(".mv-error-summary")).to_be_visible()
    expect(page.locator("#from")).to_have_attribute("aria-invalid", "true")
    assert page.locator("#log-rows > tr").count() >= 3  # every day, as if no dates were given
    assert_accessible(page)
    _shot(page, "staff-access-log-bad-date")
