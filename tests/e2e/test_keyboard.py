"""Keyboard only, on desktop: skip link, sign in, main menu, timeline, an item — no mouse at all."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, MARIA, totp_code

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
