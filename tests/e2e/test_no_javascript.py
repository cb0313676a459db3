"""With JavaScript turned off the portal still works: plain links and forms, full page loads."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import MARIA, sign_in_with


def test_no_javascript_sign_in_browse_and_sign_out(make_context: Callable[..., BrowserContext],
                                                    demo: None) -> None:
    context = make_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()

    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(page.locator(".mv-card--next .mv-next__title")).to_have_text("Första strålbehandlingen")

    page.locator("#site-nav a[href='/plan/timeline']").click()
    expect(page).to_have_url(re.compile(r"/plan/timeline$"))
    expect(page.locator("#site-nav a[href='/plan/timeline']")).to_have_attribute("aria-current", "page")
    expect(page.locator(".mv-timeline__item").first).to_be_visible()

    item_link = page.locator(".mv-timeline__item a").first
    title = item_link.inner_text().strip()
    item_link.click()
    expect(page).to_have_url(re.compile(r"/plan/items/\d+$"))
    expect(page.locator("main h1")).to_have_text(title)

    page.locator("a.mv-lang-link").click()
    page.locator("main button[lang='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/plan/items/\d+$"))

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    page.goto("/plan/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
