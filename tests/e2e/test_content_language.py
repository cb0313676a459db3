"""Content in the reader's language at 390 px: in Arabic the page runs right to left and Maria's breast cancer texts,
which exist only in Swedish, carry lang="sv" and the note that they are only in Swedish; in Finnish the Generell
texts, which exist in Finnish, are shown in Finnish. axe on every page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from portal import db
from tests import factories
from tests.content_language import make_world
from tests.e2e.conftest import MARIA, assert_accessible, screenshot, sign_in_with

PHONE = {"width": 390, "height": 844}


def _choose_language(page: Page, code: str) -> None:
    page.goto("/language?next=/login")
    page.locator(f"button[name=language][value={code}]").click()
    page.wait_for_url("**/login")


def test_arabic_marks_swedish_texts_and_finnish_shows_finnish(make_context: Callable[..., BrowserContext],
                                                               demo: None, app: Flask) -> None:
    with Session(db.get_engine(app)) as session:
        finnish_reader = make_world(session).patient.personal_id

    page = make_context(viewport=PHONE).new_page()
    _choose_language(page, "ar")
    sign_in_with(page, MARIA)
    page.goto("/plan/reading")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    first = page.locator(".mv-list__item").first
    expect(first.locator("h3")).to_have_attribute("lang", "sv")
    expect(first).to_contain_text("هذا النص متوفر باللغة السويدية فقط.")
    assert_accessible(page)
    screenshot(page, "reading-arabic-iphone")
    first.locator("h3 a").click()
    expect(page.locator("main h1")).to_have_attribute("lang", "sv")
    expect(page.locator("main .mv-prose")).to_have_attribute("lang", "sv")
    expect(page.locator("main .mv-notice").first).to_have_text("هذا النص متوفر باللغة السويدية فقط.")
    assert_accessible(page)
    screenshot(page, "article-arabic-iphone")

    page = make_context(viewport=PHONE).new_page()
    _choose_language(page, "fi")
    sign_in_with(page, finnish_reader, factories.PASSWORD)
    page.goto("/plan/reading")
    title = page.locator("h3", has_text="Tutkimukset – mitä nyt tapahtuu?")
    expect(title).to_be_visible()
    assert title.get_attribute("lang") is None
    title.locator("a").click()
    expect(page.locator("main h1")).to_have_text("Tutkimukset – mitä nyt tapahtuu?")
    expect(page.get_by_role("link", name="Näytä ruotsiksi")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "article-finnish-iphone")
