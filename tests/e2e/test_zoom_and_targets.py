"""Text-only zoom and target size (issue 14, point 7).

Text-only zoom (Android's font size, Firefox's "zoom text only", Chromium's Settings > Font size) makes the browser's
default font size larger and leaves the window as it is. We do the same: a Chromium profile whose preferences set the
default font size to 32 px (twice 16 px), so that everything sized in rem grows to 200 % while the window stays 390 or
1280 px wide. Then no page may scroll sideways. Long Swedish words hyphenate (`hyphens: auto` in the page's language)
where the browser has a Swedish dictionary (phones, Firefox, Chrome on Mac); the Chromium here has none, so the test
checks the style and the language, and `overflow-wrap: anywhere` keeps the word on the screen as the last resort.

At the normal size every button, navigation link, header link and checkbox or radio label is at least 44 × 44 px.
Inline links in running text are exempt (WCAG 2.5.8) and get a taller line instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.e2e.conftest import MARIA, assert_accessible, horizontal_overflow, screenshot, sign_in_with

WIDTHS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}
LARGE_TEXT_PX = 32  # Chromium's default is 16 px: this is text-only zoom to 200 %

# What a person taps: buttons, links styled as buttons, the menu, the header's links, form choices (their label).
TARGETS = """() => {
  const selector = "button, .mv-button, input[type=submit], #site-nav a, header a, .mv-back a, summary,"
    + " .mv-checkbox__label, .mv-choice, .mv-header__link";
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest(".mv-visually-hidden, [hidden], dialog:not([open])")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown at this size
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (el.classList.contains("mv-skip-link") && box.bottom <= 0) continue;  // shown on focus, then 44 px tall
    if (box.width < 44 - 0.5 || box.height < 44 - 0.5) {
      small.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}"`
        + ` ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}"""

# Inline links in running text: at least 1.6 lines of space around them, so that two lines of links are apart.
INLINE_LINK_LINES = """() => {
  const cramped = [];
  for (const a of document.querySelectorAll("main p a, main li > a")) {
    const style = getComputedStyle(a.parentElement);
    const ratio = parseFloat(style.lineHeight) / parseFloat(style.fontSize);
    const box = a.getBoundingClientRect();
    if (box.height >= 44 - 0.5) continue;
    if (!(ratio >= 1.6 - 0.01)) cramped.push(`"${a.textContent.trim().slice(0, 30)}" line-height ${ratio.toFixed(2)}`);
  }
  return cramped;
}"""

PATIENT_PAGES = ("/plan/", "/plan/timeline", "/plan/messages", "/plan/reading", "/plan/settings",
                 "/plan/what-matters", "/plan/relatives")


@pytest.fixture
def large_text(playwright: Playwright, browser_type_launch_args: dict, live_server: str,
               tmp_path: Path) -> Iterator[Callable[..., BrowserContext]]:
    """A Chromium of its own whose profile says 'default font size 32 px' (Settings > Appearance > Font size)."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int]) -> BrowserContext:
        profile = tmp_path / f"profile-{len(contexts)}"
        (profile / "Default").mkdir(parents=True)
        preferences = {"webkit": {"webprefs": {"default_font_size": LARGE_TEXT_PX, "default_fixed_font_size": 26}}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
        options: dict[str, Any] = {key: value for key, value in browser_type_launch_args.items()
                                   if key in ("executable_path", "env", "args")}
        context = playwright.chromium.launch_persistent_context(
            str(profile), **options, headless=True, viewport=viewport, base_url=live_server, locale="sv-SE")
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, path
    expect(page.locator("main h1")).to_be_visible()


def _item_and_article(page: Page) -> tuple[str, str]:
    _visit(page, "/plan/timeline")
    item = page.locator(".mv-timeline__item a").first.get_attribute("href")
    _visit(page, "/plan/reading")
    article = page.locator("main .mv-list__title a").first.get_attribute("href")
    assert item
    assert article
    return item, article


@pytest.mark.parametrize("width", list(WIDTHS))
def test_text_zoom_200_and_target_sizes(make_context: Callable[..., BrowserContext],
                                        large_text: Callable[..., BrowserContext], demo: None, width: str) -> None:
    # At the normal text size: every target at least 44 × 44 px, inline links on tall lines, no axe violation.
    page = make_context(viewport=WIDTHS[width]).new_page()
    page.goto("/login")
    assert page.evaluate(TARGETS) == [], "/login"
    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/$"))
    item, article = _item_and_article(page)
    small, cramped = {}, {}
    for path in (*PATIENT_PAGES, item, article):
        _visit(page, path)
        small[path], cramped[path] = page.evaluate(TARGETS), page.evaluate(INLINE_LINK_LINES)
        if path in ("/plan/", item):
            assert_accessible(page)
    assert small == dict.fromkeys(small, [])
    assert cramped == dict.fromkeys(cramped, [])

    # Text-only zoom to 200 %: the text is twice as large, the window as wide as before, nothing scrolls sideways.
    zoomed = large_text(WIDTHS[width]).new_page()
    zoomed.goto("/login")
    assert zoomed.evaluate("getComputedStyle(document.documentElement).fontSize") == f"{LARGE_TEXT_PX}px"
    assert zoomed.evaluate("window.innerWidth") == WIDTHS[width]["width"]
    sign_in_with(zoomed, MARIA)
    expect(zoomed).to_have_url(re.compile(r"/plan/$"))
    overflow = {}
    for path in (*PATIENT_PAGES, item, article):
        _visit(zoomed, path)
        overflow[path] = horizontal_overflow(zoomed)
    _visit(zoomed, "/plan/")
    screenshot(zoomed, f"zoom200-start-{width}")
    assert_accessible(zoomed)
    assert overflow == dict.fromkeys(overflow, 0)

    # Long Swedish words hyphenate in Swedish: the page says its language, running text may hyphenate.
    assert zoomed.evaluate("document.documentElement.lang") == "sv"
    assert zoomed.evaluate("getComputedStyle(document.querySelector('main p')).hyphens") == "auto"
