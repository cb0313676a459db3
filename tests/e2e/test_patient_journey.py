"""A patient's way through the portal on phone, tablet and desktop, with axe-core on every page state."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, MARIA, assert_accessible, screenshot, sign_in_with

START_URL = re.compile(r"/plan/$")
TIMELINE_URL = re.compile(r"/plan/timeline$")
ITEM_URL = re.compile(r"/plan/items/\d+$")
NEXT_EVENT = "Första strålbehandlingen"  # Maria's booked item, 3 days from today or the Monday after


def _timeline_nav_link(page: Page) -> Locator:
    return page.locator("#site-nav a[href='/plan/timeline']")


def test_journey_every_step_is_accessible(device_page: Page, demo: None) -> None:
    page = device_page
    viewport = page.viewport_name  # type: ignore[attr-defined]

    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(page)

    sign_in_with(page, MARIA)
    expect(page).to_have_url(START_URL)
    next_card = page.locator(".mv-card--next")
    expect(next_card.locator(".mv-next__title")).to_have_text(NEXT_EVENT)
    expect(next_card.locator(".mv-next__away")).to_have_text(re.compile(r"^Om [3-5] dagar$"))  # weekdays only
    expect(page.locator(".mv-contact a.mv-button[href^='tel:']")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"start-{viewport}")

    _timeline_nav_link(page).click()
    expect(page).to_have_url(TIMELINE_URL)
    expect(page.locator("main h1")).to_be_focused()
    expect(page.locator(".mv-timeline__phase h2").first).to_be_visible()
    expect(page.locator(".mv-timeline__today")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, f"timeline-{viewport}")

    item_link = page.locator(".mv-timeline__item a").first
    title = item_link.inner_text().strip()
    item_link.click()
    expect(page).to_have_url(ITEM_URL)
    expect(page.locator("main h1")).to_have_text(title)
    assert_accessible(page)

    page.locator("a.mv-lang-link").click()  # the language page names each language in itself
    expect(page.locator("main h1")).to_have_text("Välj språk")
    assert_accessible(page)
    page.locator("main button[lang='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(ITEM_URL)
    expect(page.locator("main h1")).to_have_text(title)
    expect(page.get_by_role("link", name="Back to the timeline")).to_be_visible()
    expect(_timeline_nav_link(page)).to_have_text("Timeline")
    expect(page.locator("a.mv-lang-link")).to_have_text("Language")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    expect(page.locator(".mv-notice[role=status]")).to_have_text("You are signed out.")
    expect(page.locator("#site-nav")).to_have_count(0)
    assert_accessible(page)

    page.goto("/plan/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)plan(/|%2F)$"))
    expect(page.locator("#identifier")).to_be_visible()


def test_sign_in_malformed_number_shows_accessible_error_summary(device_page: Page, demo: None) -> None:
    page = device_page
    page.goto("/login")
    fresh_title = page.title()

    page.locator("#identifier").fill("123")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form.mv-form button[type=submit]").click()

    summary = page.locator(".mv-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#identifier']")).to_be_visible()
    expect(page).to_have_title(re.compile(r".+ " + re.escape(fresh_title) + "$"))
    identifier = page.locator("#identifier")
    expect(identifier).to_have_value("123")
    expect(identifier).to_have_attribute("aria-invalid", "true")
    expect(identifier).to_have_attribute("aria-describedby", re.compile(r"\bidentifier-error\b"))
    expect(page.locator("#password")).to_have_value("")
    assert_accessible(page)

    summary.locator("a[href='#identifier']").click()
    expect(identifier).to_be_focused()


def test_nav_link_swaps_main_content_like_a_page_load(device_page: Page, demo: None) -> None:
    page = device_page
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(START_URL)
    start_title = page.title()
    history_length = page.evaluate("history.length")
    page.evaluate("window.mvSamePage = true")
    link = _timeline_nav_link(page)
    expect(link).not_to_have_attribute("aria-current", "page")

    link.click()

    expect(page).to_have_url(TIMELINE_URL)
    heading = page.locator("main h1")
    expect(heading).to_be_focused()
    expect(page).not_to_have_title(start_title)
    expect(page).to_have_title(re.compile("^" + re.escape(heading.inner_text().strip()) + " – "))
    expect(link).to_have_attribute("aria-current", "page")
    expect(page.locator("#site-nav a[href='/plan/']")).not_to_have_attribute("aria-current", "page")
    for landmark in ("header", "main", "#site-nav", "footer", "main h1"):
        expect(page.locator(landmark)).to_have_count(1)
    assert page.evaluate("history.length") == history_length + 1, "the new URL was not pushed to history"
    assert page.evaluate("window.mvSamePage === true"), "the nav link reloaded the page: no htmx swap"


def test_nav_back_button_after_swap_shows_previous_page(desktop_page: Page, demo: None) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(START_URL)
    _timeline_nav_link(page).click()
    expect(page).to_have_url(TIMELINE_URL)
    expect(page.locator("main h1")).to_be_focused()

    page.go_back()

    expect(page).to_have_url(START_URL)
    expect(page.locator(".mv-card--next .mv-next__title")).to_have_text(NEXT_EVENT)
    expect(page.locator("#site-nav a[href='/plan/']")).to_have_attribute("aria-current", "page")
    expect(_timeline_nav_link(page)).not_to_have_attribute("aria-current", "page")
    expect(page.locator("main")).to_have_count(1)


def test_sign_out_back_button_shows_no_patient_data(desktop_page: Page, demo: None) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(START_URL)
    _timeline_nav_link(page).click()
    page.locator(".mv-timeline__item a").first.click()
    expect(page).to_have_url(ITEM_URL)
    page.locator("header form[action='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))

    for _ in range(2):  # the item page, then the timeline: both were htmx swaps
        page.go_back()
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.locator("#identifier")).to_be_visible()
        expect(page.locator(".mv-timeline, #site-nav")).to_have_count(0)
