"""Guidance in "Hur mår du?": the intro, both ends of the scale, the trend chart explained, and the danger box that
ticking "Tankar om livet och döden" brings up at once: focused with JavaScript, shown without it, kept on the receipt
with when the care team reads the answers. At 390 and 1280 px, checked by axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import MARIA, assert_accessible, horizontal_overflow, screenshot, sign_in_with

STEP_URL = re.compile(r"/plan/forms/responses/\d+/steps/\d+$")
DANGER_URL = re.compile(r"/plan/forms/responses/\d+/steps/6\?danger=1#danger$")
REVIEW_URL = re.compile(r"/plan/forms/responses/\d+/review$")
RECEIPT_URL = re.compile(r"/plan/forms/responses/\d+$")


def _next(page: Page) -> None:
    page.locator("form.mv-form--question button[name=action][value=next]").click()


def _to_the_last_screen(page: Page) -> None:
    """Sign in as Maria, open "Hur mår du?" and answer up to the screen about life and meaning."""
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/$"))
    page.goto("/plan/forms")
    page.get_by_role("button", name=re.compile(r"^Börja\s*:\s*Hur mår du\?$")).click()
    expect(page).to_have_url(STEP_URL)
    expect(page.locator("main .mv-form-intro")).to_contain_text("Först väljer du en siffra")
    ends = page.locator("#distress-ends")
    expect(ends).to_be_visible()
    expect(ends).to_contain_text("0 = Inga besvär alls")
    expect(ends).to_contain_text("10 = Värsta tänkbara")
    page.get_by_label("8", exact=True).check()
    for _ in range(5):
        _next(page)
    expect(page.locator("main h1")).to_have_text("Livet och meningen")


@pytest.mark.parametrize("width", [390, 1280])
def test_forms_danger_box_takes_the_focus_and_stays_on_the_receipt(make_context: Callable[..., BrowserContext],
                                                                   demo: None, width: int) -> None:
    page = make_context(viewport={"width": width, "height": 844 if width == 390 else 800}).new_page()
    _to_the_last_screen(page)
    assert_accessible(page)
    page.get_by_label("Tankar om livet och döden", exact=True).check()
    _next(page)

    expect(page).to_have_url(DANGER_URL)
    box = page.locator("#danger")
    expect(box).to_be_focused()
    expect(box.get_by_role("heading", level=2)).to_have_text("Behöver du hjälp nu?")
    expect(box).to_contain_text("Prata med någon redan i dag.")
    calls = box.locator("a[href^='tel:']")
    expect(calls).to_have_count(4)
    expect(calls.first).to_have_text("Ring Självmordslinjen: 90101")
    expect(box.locator("a[href='tel:112']")).to_have_text("Ring 112")
    expect(box.locator("a[href='tel:1177']")).to_have_text("Ring 1177")
    expect(page.get_by_label("Tankar om livet och döden", exact=True)).to_be_checked()
    screenshot(page, f"forms-danger-{width}")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)

    _next(page)
    expect(page).to_have_url(REVIEW_URL)
    expect(page.locator("#danger")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Skicka svaren").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#danger")).to_contain_text("Självmordslinjen")
    expect(page.locator("main")).to_contain_text(re.compile(r"Vårdteamet läser oftast svaren inom \d+ vardag"))
    expect(page.locator("main")).to_contain_text("Behöver du hjälp snabbare? Ring")
    expect(page.locator("main")).to_contain_text("Poäng: 8 av 10. Högre poäng betyder mer besvär.")
    assert_accessible(page)
    screenshot(page, f"forms-danger-receipt-{width}")

    page.goto("/plan/forms")
    chart = page.locator("figure.mv-chart")
    expect(chart.locator("figcaption")).to_contain_text("Dina poäng över tid: Hur mår du?")
    expect(chart.locator("figcaption")).to_contain_text("Högre poäng betyder mer besvär.")
    expect(chart.locator("figcaption")).to_contain_text("Den streckade linjen visar 4 poäng")
    expect(chart.locator("line.mv-chart__threshold")).to_have_count(1)
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    screenshot(page, f"forms-chart-{width}")


def test_forms_danger_box_without_javascript(make_context: Callable[..., BrowserContext], demo: None) -> None:
    page = make_context(viewport={"width": 390, "height": 844}, java_script_enabled=False).new_page()
    _to_the_last_screen(page)
    page.get_by_label("Tankar om livet och döden", exact=True).check()
    _next(page)
    expect(page).to_have_url(DANGER_URL)
    box = page.locator("#danger")
    expect(box).to_be_visible()
    expect(box.locator("a[href='tel:90101']")).to_have_text("Ring Självmordslinjen: 90101")
    expect(box).to_contain_text("Svaret är sparat.")
    expect(box).to_be_in_viewport()  # the address ends in #danger: the browser scrolls to it
    # (axe needs JavaScript in the page: it checks this very page in the test above)
