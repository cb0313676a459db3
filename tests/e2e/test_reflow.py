"""Reflow (WCAG 1.4.10): no sideways scrolling at 320 px, nor at 1280 px zoomed to 200 %."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import MARIA, horizontal_overflow, sign_in_with

NARROW_WINDOWS = {
    "320px": {"viewport": {"width": 320, "height": 640}},
    # 1280×800 at 200 % zoom lays out like a 640×400 window with twice the pixels.
    "1280px-zoom200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}


@pytest.mark.parametrize("window", list(NARROW_WINDOWS))
def test_reflow_no_horizontal_scrolling(make_context: Callable[..., BrowserContext], demo: None,
                                        window: str) -> None:
    page = make_context(**NARROW_WINDOWS[window]).new_page()
    heading = page.locator("main h1")
    overflows = {}

    page.goto("/login")
    expect(heading).to_be_visible()
    overflows["sign-in"] = horizontal_overflow(page)

    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(heading).to_be_visible()
    overflows["start"] = horizontal_overflow(page)

    page.goto("/plan/timeline")
    expect(heading).to_be_visible()
    overflows["timeline"] = horizontal_overflow(page)

    item_href = page.locator(".mv-timeline__item a").first.get_attribute("href")
    assert item_href
    page.goto(item_href)
    expect(heading).to_be_visible()
    overflows["item"] = horizontal_overflow(page)

    for name, path in (("reading", "/plan/reading"), ("relatives", "/plan/relatives"), ("print", "/plan/print"),
                       ("access log", "/plan/access-log"), ("own item", "/plan/items/new"),
                       ("what matters", "/plan/what-matters")):
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, name
        expect(heading).to_be_visible()
        overflows[name] = horizontal_overflow(page)
    page.goto("/plan/reading")
    page.locator(".mv-list__title a").first.click()
    expect(page).to_have_url(re.compile(r"/plan/reading/\d+$"))  # the reading page has an h1 too: wait for the article
    expect(heading).to_be_visible()
    overflows["article"] = horizontal_overflow(page)

    assert overflows == dict.fromkeys(overflows, 0)


@pytest.mark.parametrize("window", list(NARROW_WINDOWS))
def test_reflow_of_the_nurses_plan_builder(make_context: Callable[..., BrowserContext], demo: None,
                                           window: str) -> None:
    page = make_context(**NARROW_WINDOWS[window]).new_page()
    heading = page.locator("main h1")
    page.goto("/login")
    sign_in_with(page, "eva.lund@demo.vardplan.se")
    page.locator("#caseload-list > tr a").first.click()
    expect(page).to_have_url(re.compile(r"/staff/plans/\d+$"))  # the start page has an h1 too: wait for the plan
    expect(heading).to_be_visible()
    overflows = {"plan builder": horizontal_overflow(page)}
    plan_path = page.url.split("?")[0]
    for name, suffix in (("add item", "/items/new"), ("reading", "/reading"), ("handover", "/handover"),
                         ("history", "/history"), ("access log", "/access-log")):
        response = page.goto(plan_path + suffix)
        assert response is not None
        assert response.status == 200, name
        expect(heading).to_be_visible()
        overflows[name] = horizontal_overflow(page)
    assert overflows == dict.fromkeys(overflows, 0)
