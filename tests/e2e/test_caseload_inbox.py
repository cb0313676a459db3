"""Eva's 321 patients in the browser, at 390 px and 1280 px: the caseload sorted and filtered with its form, paged
with 'Show more'; the inbox with previews, unread counts and its filters; the badge in the navigation. Without
JavaScript the same form and links work. axe-core on every state; nothing makes the page scroll sideways at 320 px."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.e2e.conftest import EVA, SCREENSHOTS, assert_accessible, device_options, horizontal_overflow, sign_in_with


def _shot(page: Page, name: str) -> None:
    """The top of the page, and the window scrolled to the list's first rows."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.locator("main table").evaluate("table => table.scrollIntoView({behavior: 'instant'})")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-rows.png"))
    page.evaluate("window.scrollTo(0, 0)")


@pytest.mark.parametrize("viewport", ["iphone13", "desktop"])  # 390 px and 1280 px wide
def test_caseload_of_321_patients_sorted_filtered_and_paged(make_context: Callable[..., BrowserContext],
                                                          playwright: Playwright, busy_demo: None,
                                                          viewport: str) -> None:
    page = make_context(**device_options(playwright, viewport)).new_page()
    page.goto("/login")
    sign_in_with(page, EVA)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    rows = page.locator("#caseload-list > tr")
    expect(rows).to_have_count(50)
    expect(page.locator("main caption")).to_contain_text(re.compile(r"3\d\d patienter"))
    expect(rows.first.locator("a.mv-caseload__name")).to_have_text("Maria Ek")  # open alerts first
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    _shot(page, f"caseload-{viewport}")

    page.locator("#sort").select_option("next")
    page.locator("#phase").select_option("treatment")
    page.locator("#diagnosis").select_option("brostcancer")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"sort=next"))
    expect(page.locator("main h1")).to_be_focused()
    expect(page.locator("#sort")).to_have_value("next")
    first = rows.first
    expect(first).to_contain_text("Bröstcancer")
    expect(first).to_contain_text("Behandling")
    assert_accessible(page)
    _shot(page, f"caseload-filtered-{viewport}")

    expect(page.locator("#caseload-more a")).to_have_count(0)  # fewer than 50 of them

    page.goto("/staff/?sort=name&team=all")
    page.locator("#caseload-more a").click()
    expect(rows).to_have_count(100)
    expect(rows.nth(50).locator("a").first).to_be_focused()
    assert "after=" not in page.url  # the list grows in place

    page.goto("/staff/?unread=1")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 32  # every tenth of the 320 wrote a message
    badge = page.locator("#site-nav a[href='/staff/inbox'] #unread-badge")
    expect(badge).to_contain_text(re.compile(r"^\d+"))
    expect(badge.locator(".mv-visually-hidden")).to_contain_text("väntar på dig")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", ["iphone13", "desktop"])
def test_inbox_previews_unread_and_filters(make_context: Callable[..., BrowserContext], playwright: Playwright,
                                           busy_demo: None, viewport: str) -> None:
    page = make_context(**device_options(playwright, viewport)).new_page()
    page.goto("/login")
    sign_in_with(page, EVA)
    page.locator("#site-nav").get_by_role("link", name=re.compile("^Inkorg")).click()
    expect(page).to_have_url(re.compile(r"/staff/inbox$"))
    rows = page.locator("#inbox-list > tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Inte hanterad")
    expect(page.locator("#inbox-list .mv-tag--booked").first).to_contain_text("oläst")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    _shot(page, f"inbox-{viewport}")

    page.get_by_role("link", name="Att hantera").click()
    expect(page).to_have_url(re.compile(r"show=unhandled"))
    expect(page.get_by_role("link", name="Att hantera")).to_have_attribute("aria-current", "true")
    expect(rows.first).to_be_visible()
    assert rows.count() == page.locator("#inbox-list .mv-tag--attention").count()  # each one not dealt with
    assert_accessible(page)
    before = _badge(page)
    rows.filter(has=page.locator(".mv-tag--booked")).first.locator("a").click()
    expect(page.locator("main h1")).to_contain_text("Meddelanden med")
    assert _badge(page) == before - 1  # reading a waiting thread takes it off the badge


def _badge(page: Page) -> int:
    text = page.locator("#unread-badge").inner_text().strip()
    return int(text.split()[0]) if text else 0


def test_caseload_without_javascript_and_at_320_px(make_context: Callable[..., BrowserContext],
                                                  busy_demo: None) -> None:
    page = make_context(java_script_enabled=False, viewport={"width": 320, "height": 640}).new_page()
    page.goto("/login")
    sign_in_with(page, EVA)
    page.goto("/staff/")
    assert horizontal_overflow(page) == 0
    page.locator("#sort").select_option("name")
    page.locator("#team").select_option("all")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/\?team=all&.*sort=name"))
    expect(page.locator("#caseload-list > tr")).to_have_count(50)
    page.locator("#caseload-more a").click()
    expect(page).to_have_url(re.compile(r"after=\d+"))
    expect(page.locator("main .mv-notice")).to_be_visible()
    assert horizontal_overflow(page) == 0
    page.goto("/staff/inbox?show=mine")
    expect(page.locator("#unread-badge")).to_be_attached()
    assert horizontal_overflow(page) == 0
    _shot(page, "inbox-320-nojs")
