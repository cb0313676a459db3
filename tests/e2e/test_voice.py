"""Whom each patient page speaks to, in Chromium: Maria reads "Din …" about her own plan; Per, her partner, reads
"Marias …" (her name, never a guessed pronoun, never "Din vårdplan"); Sara, guardian of Elsa, 8, reads about Elsa.
Each visits every patient page they may open, at 390 px or 1280 px, with axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, MARIA, assert_accessible, screenshot, sign_in_with

PHONE = {"viewport": {"width": 390, "height": 844}}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PER = "per.ek@demo.vardplan.se"  # Maria's partner: the plan and the reading, reading messages
SARA = "sara.lind@demo.vardplan.se"  # guardian of Elsa Lind, 8: everything the child's plan offers
# Words that speak to the reader as if the plan were theirs: never in a heading a relative or guardian reads.
OWN = re.compile(r"\b(din|ditt|dina|min|mitt|mina)\b", re.IGNORECASE)
# Pages each may open; the item and the article are found by following the first link to one.
SHARED = ["/plan/", "/plan/timeline", "ITEM", "/plan/reading", "ARTICLE", "/plan/what-matters", "/plan/my-data",
          "/plan/my-data/summary", "/plan/more"]
PATIENT_PAGES = [*SHARED, "/plan/messages", "/plan/forms", "/plan/access-log", "/plan/items/new", "/plan/relatives",
                 "/plan/sharing"]
RELATIVE_PAGES = [*SHARED, "/plan/messages"]
GUARDIAN_PAGES = [*SHARED, "/plan/messages", "/plan/forms", "/plan/access-log", "/plan/items/new"]


def _signed_in(make_context: Callable[..., BrowserContext], size: dict, identifier: str) -> Page:
    page = make_context(**size).new_page()
    page.goto("/login")
    sign_in_with(page, identifier, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/plan/"))
    return page


def _open(page: Page, path: str) -> None:
    if path == "ITEM":
        page.goto("/plan/timeline")
        page.locator("main a[href^='/plan/items/']:not([href$='/new'])").first.click()
        expect(page).to_have_url(re.compile(r"/plan/items/\d+$"))
    elif path == "ARTICLE":
        page.goto("/plan/reading")
        page.locator("main a[href^='/plan/reading/']").first.click()
        expect(page).to_have_url(re.compile(r"/plan/reading/\d+$"))
    else:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
    expect(page.locator("main h1")).to_be_visible()


def _headings(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("main h1, main h2").all_inner_texts()]


def _visit_all(page: Page, paths: list[str], name: str) -> dict[str, list[str]]:
    """Every page in turn, axe on each; the headings seen per page."""
    seen: dict[str, list[str]] = {}
    for path in paths:
        _open(page, path)
        assert_accessible(page)
        seen[path] = _headings(page)
    screenshot(page, f"voice-{name}")
    return seen


def _spoken_to_as_owner(seen: dict[str, list[str]]) -> list[str]:
    return [f"{path}: {heading}" for path, headings in seen.items() for heading in headings if OWN.search(heading)]


def test_maria_is_spoken_to_about_her_own_plan(make_context: Callable[..., BrowserContext], demo: None) -> None:
    page = _signed_in(make_context, PHONE, MARIA)
    seen = _visit_all(page, PATIENT_PAGES, "patient-390")
    assert not [f"{path}: {h}" for path, headings in seen.items() for h in headings if "Marias" in h]
    assert "Dina kontakter" in seen["/plan/"]
    assert seen["/plan/my-data"][0] == "Ladda ner mina uppgifter"
    assert seen["/plan/access-log"][0] == "Vem har tittat på min vårdplan?"
    assert seen["/plan/what-matters"][0] == "Vad är viktigt för mig?"
    _open(page, "/plan/messages")
    expect(page.locator("main .mv-lead")).to_contain_text("Här skriver du till din kontaktsjuksköterska")


def test_per_reads_about_maria_and_what_he_may_do(make_context: Callable[..., BrowserContext], demo: None) -> None:
    page = _signed_in(make_context, DESKTOP, PER)
    seen = _visit_all(page, RELATIVE_PAGES, "relative-1280")
    assert _spoken_to_as_owner(seen) == []
    assert "Marias kontakter" in seen["/plan/"]
    assert seen["/plan/timeline"][0] == "Marias tidslinje"
    assert seen["/plan/what-matters"][0] == "Vad är viktigt för Maria?"
    assert seen["/plan/my-data"][0] == "Ladda ner Marias uppgifter"
    _open(page, "/plan/messages")  # he may read, not write: told what to do instead
    expect(page.locator("main .mv-lead")).to_contain_text("Här läser du Marias meddelanden")
    expect(page.locator("main")).to_contain_text("Du kan läsa meddelandena men inte skriva. Be Maria, eller ring")
    expect(page.locator("main form textarea")).to_have_count(0)
    _open(page, "ARTICLE")
    expect(page.locator("main a[href='/plan/messages']")).to_have_count(0)  # "Skriv till vårdteamet": not his
    expect(page.locator("main article")).to_contain_text("Prata med Maria")
    refused = page.goto("/plan/forms")
    assert refused is not None
    assert refused.status == 403
    expect(page.locator("main")).to_contain_text("Fråga Maria om du behöver se mer.")
    expect(page.locator("main")).not_to_contain_text("Felkod")
    assert_accessible(page)


def test_sara_reads_about_elsa_her_child(make_context: Callable[..., BrowserContext], demo: None) -> None:
    page = _signed_in(make_context, PHONE, SARA)
    seen = _visit_all(page, GUARDIAN_PAGES, "guardian-390")
    assert _spoken_to_as_owner(seen) == []
    assert "Elsas kontakter" in seen["/plan/"]
    assert seen["/plan/timeline"][0] == "Elsas tidslinje"
    assert seen["/plan/access-log"][0] == "Vem har tittat på Elsas vårdplan?"
    assert seen["/plan/items/new"][0] == "Lägg till en punkt"
    _open(page, "/plan/messages")  # she may write for the child
    expect(page.locator("main .mv-lead")).to_contain_text("Här skriver du till Elsas kontaktsjuksköterska")
    refused = page.goto("/plan/relatives")
    assert refused is not None
    assert refused.status == 403
    expect(page.locator("main")).to_contain_text("Den här delen är inte till för vårdnadshavare.")
    assert_accessible(page)
