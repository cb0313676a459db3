"""Feedback in place (issue 14, point 3): after an action the confirmation is where the person is looking.

With JavaScript, htmx swaps the section in place and focus moves to the confirmation (so it is in view and a screen
reader reads it). Without JavaScript, the answer redirects to the page with #confirmation; the browser scrolls there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import MARIA, assert_accessible, screenshot, sign_in_with

WIDTHS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}
UNDERSTOOD = "#response button[value=understood]"


def _unanswered_article(page: Page, skip: str = "") -> str:
    """The address of an article the patient has not yet marked as understood."""
    page.goto("/plan/reading")
    hrefs = [href for href in page.locator("main .mv-list__title a").evaluate_all("links => links.map(a => a.href)")
             if href != skip]
    for href in hrefs:
        page.goto(href)
        if page.locator(UNDERSTOOD).count():
            return href
    raise AssertionError("every article is marked as understood already")


def _confirmed_in_place(page: Page, text: str) -> None:
    confirmation = page.locator("#confirmation")
    expect(confirmation).to_contain_text(text)
    expect(confirmation).to_be_focused()
    expect(confirmation).to_be_in_viewport()
    expect(confirmation).to_have_attribute("role", "status")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_confirmation_where_the_person_looks(make_context: Callable[..., BrowserContext], demo: None,
                                             width: str) -> None:
    page = make_context(viewport=WIDTHS[width]).new_page()
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/$"))

    # "Jag har läst och förstår", at the end of a long text: the card is swapped, the confirmation has focus.
    article = _unanswered_article(page)
    page.locator(UNDERSTOOD).scroll_into_view_if_needed()
    page.locator(UNDERSTOOD).click()
    _confirmed_in_place(page, "Du har markerat att du har läst och förstår texten")
    expect(page).to_have_url(article)  # swapped in place, not a new page at the top
    expect(page.locator(UNDERSTOOD)).to_have_count(0)
    screenshot(page, f"feedback-article-{width}")
    assert_accessible(page)

    # Settings: a refused address is explained in place (focus on the summary), a good one is saved and confirmed.
    page.goto("/plan/settings")
    page.locator("#notify_messages").check()
    page.locator("#contact_email").fill("maria@")
    page.locator("#email-settings button[type=submit]").click()
    expect(page.locator("#email-settings .mv-error-summary")).to_be_focused()
    page.locator("#contact_email").fill("maria.ek@example.se")
    page.locator("#email-settings button[type=submit]").click()
    _confirmed_in_place(page, "Dina inställningar är sparade")
    expect(page.locator("#email-settings .mv-error-summary")).to_have_count(0)
    assert_accessible(page)

    # What matters: saved and confirmed under the heading, the text kept.
    page.goto("/plan/what-matters")
    page.locator("#what_matters").fill("Att kunna gå på barnbarnets student i juni.")
    page.locator("#what-matters button[type=submit]").click()
    _confirmed_in_place(page, "Sparat")
    expect(page.locator("#what_matters")).to_have_value("Att kunna gå på barnbarnets student i juni.")

    # Without JavaScript: POST-redirect-GET to the page's #confirmation, which the browser scrolls into view.
    plain = make_context(viewport=WIDTHS[width], java_script_enabled=False).new_page()
    plain.goto("/login")
    sign_in_with(plain, MARIA)
    expect(plain).to_have_url(re.compile(r"/plan/$"))
    second = _unanswered_article(plain, skip=article)
    plain.locator(UNDERSTOOD).click()
    expect(plain).to_have_url(re.compile(re.escape(second) + r"\?answered=1#confirmation$"))
    expect(plain.locator("#confirmation")).to_be_in_viewport()
    plain.goto("/plan/settings")
    plain.locator("#contact_email").fill("maria.ek@example.se")
    plain.locator("#email-settings button[type=submit]").click()
    expect(plain).to_have_url(re.compile(r"/plan/settings\?saved=1#confirmation$"))
    expect(plain.locator("#confirmation")).to_be_in_viewport()
