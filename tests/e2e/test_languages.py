"""Maria's pages in each language of the portal at 390 px (axe on every page): Swedish, English, Finnish, and Arabic,
where the whole page runs right to left (the menu starts at the right, the back arrow points right), phone numbers
still read left to right, and the printed plan is right to left too."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import MARIA, assert_accessible, horizontal_overflow, screenshot, sign_in_with

PHONE = {"width": 390, "height": 844}
PAGES = ("/plan/", "/plan/timeline", "/plan/messages", "/plan/reading", "/plan/forms", "/plan/more", "/plan/print")
HEADINGS = {"sv": "Min vårdplan", "en": "My care plan", "ar": "خطة رعايتي", "fi": "Hoitosuunnitelmani"}


def _choose(page: Page, code: str) -> None:
    """As a reader would: the globe link in the header, then their language, named in itself."""
    page.goto("/login")
    page.locator("a.mv-lang-link").click()
    assert_accessible(page)
    page.locator(f"main button[lang={code}]").click()
    expect(page).to_have_url(re.compile(r"/login$"))  # back where the link was
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.mark.parametrize("code", ["sv", "en", "ar", "fi"])
def test_every_patient_page_in_each_language(make_context: Callable[..., BrowserContext], demo: None,
                                             code: str) -> None:
    page = make_context(viewport=PHONE).new_page()
    _choose(page, code)
    sign_in_with(page, MARIA)
    direction = "rtl" if code == "ar" else "ltr"
    for path in PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        assert horizontal_overflow(page) == 0, path
        assert_accessible(page)
        if path == "/plan/":
            expect(page.locator("main h1")).to_contain_text(HEADINGS[code])
            screenshot(page, f"languages-start-{code}-390")
    if code != "ar":
        return

    # Mirrored: the menu's first link (the plan) is at the right, the second left of it.
    page.goto("/plan/")
    links = page.locator("#site-nav a.mv-nav__link")
    first, second = links.nth(0).bounding_box(), links.nth(1).bounding_box()
    assert first
    assert second
    assert first["x"] > second["x"]
    # A phone number keeps its digit groups in order: "010-123 45 20", not "20 45 010-123".
    # The unit's name and phone hours are the care team's Swedish: a screen reader reads them as Swedish.
    expect(page.locator(".mv-contact dd[lang=sv][dir=ltr]")).to_have_count(2)
    call = page.locator(".mv-contact a[href^='tel:']").first
    assert call.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # The back link's arrow points right, the way back in a right-to-left page.
    page.goto("/plan/timeline")
    page.locator(".mv-timeline__item a").first.click()
    arrow = page.locator(".mv-back a").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert "›" in arrow
    # The printed plan runs right to left as well.
    page.goto("/plan/print")
    page.emulate_media(media="print")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    screenshot(page, "languages-print-ar-390")
