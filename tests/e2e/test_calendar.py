"""The item page and the calendar in a real browser (issue 14): the address with a map link, 'Lägg till i kalendern',
'Kan du inte komma? Ring …', a date that does not break inside 'kl. 09.30', and the private calendar feed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import MARIA, assert_accessible, horizontal_overflow, screenshot, sign_in_with


@pytest.mark.parametrize("width", [390, 1280])
def test_item_page_and_calendar_feed(make_context: Callable[..., BrowserContext], demo: None, width: int) -> None:
    page = make_context(viewport={"width": width, "height": 844 if width == 390 else 800}).new_page()
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.goto("/plan/timeline")
    page.get_by_role("link", name="Första strålbehandlingen").first.click()
    expect(page.locator("main h1")).to_have_text("Första strålbehandlingen")

    expect(page.locator("main .mv-address")).to_have_text("Sjöstadsvägen 12, ingång C, 120 65 Stockholm")
    expect(page.locator("main a.mv-map-link")).to_have_attribute(
        "href", "https://www.openstreetmap.org/search?query=Sj%C3%B6stadsv%C3%A4gen%2012%2C%20ing%C3%A5ng%20C%2C"
                "%20120%2065%20Stockholm")
    expect(page.locator("#cannot-come-heading")).to_have_text("Kan du inte komma?")
    expect(page.locator("main a.mv-call-link")).to_have_attribute("href", "tel:0101234520")
    when = page.locator("main .mv-when")
    expect(when).to_contain_text("kl.\u00a009.30")
    assert when.evaluate("element => element.getClientRects().length") == 1  # one line: no break inside it
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    screenshot(page, f"calendar-item-{width}")
    with page.expect_download() as download:
        page.locator("#add-to-calendar").click()
    assert download.value.suggested_filename.endswith(".ics")

    page.get_by_role("link", name="Få alla dina bokade besök i din kalender").click()
    expect(page.locator("main h1")).to_have_text("Dina besök i din kalender")
    assert_accessible(page)
    page.get_by_role("button", name="Slå på kalendern").click()
    expect(page.locator("#confirmation")).to_have_text("Kalendern är påslagen.")
    expect(page.locator("#calendar-address")).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/calendar/feed\.ics\?key=[\w-]{40,}$"))
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    screenshot(page, f"calendar-feed-{width}")
    address = page.locator("#calendar-address").input_value()
    feed = page.request.get(address)
    assert feed.status == 200
    assert "BEGIN:VEVENT" in feed.text()
    assert "strål" not in feed.text().lower()
