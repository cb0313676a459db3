"""A new plan on its way to the patient: the nurse builds Karl's plan (a draft Karl cannot see), previews it as Karl
will see it, writes the illness in plain words for him, and shares it; Karl then sees the plan, and after a later
change "Nytt i din plan" on his start page. At 1280 px and 390 px, with axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.e2e.conftest import assert_accessible, device_options, screenshot, share_plan, sign_in_with

JONAS = "jonas.berg@demo.vardplan.se"  # demo nurse at Kirurg- och urologmottagningen
KARL = "19520611-9793"  # demo patient with an account and no plan yet
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"width": 390, "height": 844}
PLAN_URL = re.compile(r"/staff/plans/\d+(\?.*)?(#.*)?$")
OWN_TEXT = "Du har en tumör i prostatan som växer långsamt. Vi utreder nu hur den bäst ska behandlas."
NEW_ITEM = "Läkarbesök om behandlingen"


def _at_both_widths(page: Page, name: str) -> None:
    """axe and a picture at 1280 px and at 390 px, then back to the desktop."""
    for width, size in (("desktop", DESKTOP["viewport"]), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size(DESKTOP["viewport"])


def _nurse_makes_a_draft(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, JONAS)
    page.locator("#site-nav a[href='/staff/find']").click()
    page.locator("#q").fill(KARL)
    page.locator("main form[role=search] button").click()
    page.locator(".mv-list__item").filter(has_text="Karl Öberg").locator("button").click()
    page.locator("#diagnosis").select_option("prostatacancer")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator("#draft-heading")).to_have_text("Utkast – patienten ser inte planen än")
    _at_both_widths(page, "lifecycle-draft")


def _patient_sees_no_plan(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, KARL)
    expect(page.locator("main h1")).to_have_text("Min vårdplan")
    expect(page.locator("main")).to_contain_text("Du har ingen vårdplan här än.")
    expect(page.locator("main")).not_to_contain_text("Prostatacancer")
    page.goto("/plan/timeline")
    expect(page.locator("main")).to_contain_text("Du har ingen vårdplan här än.")
    assert_accessible(page)


def _nurse_previews_and_writes_the_text(page: Page) -> None:
    page.locator("main .mv-safety a[href$='/preview']").click()
    expect(page.locator("main .mv-notice[role=region]")).to_contain_text("Förhandsvisning")
    expect(page.locator(".mv-preview h1")).to_have_text("Min vårdplan")
    expect(page.locator(".mv-preview #diagnosis-heading").locator("xpath=..")).to_contain_text("Prostatacancer")
    _at_both_widths(page, "lifecycle-preview-start")
    page.locator("main .mv-notice a[href$='/preview/timeline']").click()
    expect(page.locator(".mv-preview h1")).to_have_text("Tidslinje")
    _at_both_widths(page, "lifecycle-preview-timeline")
    page.locator("main .mv-back a").click()

    # An empty text is refused and nothing is lost; then Karl's own text.
    page.locator("#diagnosis_summary").fill("")
    page.get_by_role("button", name="Spara texten").click()
    expect(page.locator(".mv-error-summary")).to_be_focused()
    expect(page.locator(".mv-error-summary")).to_contain_text("Skriv en text om sjukdomen")
    assert_accessible(page)
    page.locator("#diagnosis_summary").fill(OWN_TEXT)
    page.get_by_role("button", name="Spara texten").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator(".mv-notice[role=status]")).to_contain_text("Texten om sjukdomen är sparad.")
    expect(page.locator("#diagnosis_summary")).to_have_value(OWN_TEXT)


def _nurse_adds_an_item(page: Page) -> None:
    page.locator("#phase-investigation").locator("xpath=..").locator("a[href*='/items/new']").click()
    page.locator("#title").fill(NEW_ITEM)
    page.locator("#status").select_option("booked")
    page.locator("#day").fill((date.today() + timedelta(days=12)).isoformat())
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator(".mv-builder__item").filter(has_text=NEW_ITEM)).to_have_count(1)


def test_nurse_previews_and_shares_a_draft_and_the_patient_sees_what_is_new(
        make_context: Callable[..., BrowserContext], playwright: Playwright, demo: None) -> None:
    nurse = make_context(**DESKTOP).new_page()
    patient = make_context(**device_options(playwright, "iphone13")).new_page()
    _nurse_makes_a_draft(nurse)
    _patient_sees_no_plan(patient)
    _nurse_previews_and_writes_the_text(nurse)

    share_plan(nurse)
    expect(nurse.locator(".mv-notice[role=status]")).to_contain_text("Planen är delad")
    expect(nurse.locator("#draft-heading")).to_have_count(0)
    assert_accessible(nurse)

    patient.goto("/plan/")
    expect(patient.locator("#diagnosis-heading").locator("xpath=..")).to_contain_text(OWN_TEXT)
    expect(patient.locator("#news-heading")).to_have_count(0)  # nothing has changed since it was shared
    assert_accessible(patient)

    _nurse_adds_an_item(nurse)
    patient.goto("/plan/")
    news = patient.locator("#news-heading").locator("xpath=..")
    expect(news).to_contain_text("Nytt i din plan")
    expect(news).to_contain_text(f"Ny tid: {NEW_ITEM}")
    assert_accessible(patient)
    screenshot(patient, "lifecycle-news-phone")
    patient.set_viewport_size(DESKTOP["viewport"])
    assert_accessible(patient)
    screenshot(patient, "lifecycle-news-desktop")
    news.get_by_role("link", name="Se hela planen").click()
    expect(patient.locator(".mv-timeline__item").filter(has_text=NEW_ITEM)).to_have_count(1)
