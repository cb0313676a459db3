"""The paper plan: printed to PDF by Chromium, every page says whose plan it is (name and masked number) and which
page of how many; the reading list runs in care order; the print view passes axe at 390 and 1280 px. And the safety
notice fits the plan (treatment, radiotherapy after surgery)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect
from pypdf import PdfReader

from tests.e2e.conftest import MARIA, assert_accessible, screenshot, sign_in_with

PHASES_IN_CARE_ORDER = ["Utredning", "Behandling", "Rehabilitering", "Uppföljning"]


def test_every_printed_page_says_whose_plan_and_which_page_and_safety_fits_the_plan(
        make_context: Callable[..., BrowserContext], demo: None, tmp_path: Path) -> None:
    page = make_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.goto("/plan/print")
    expect(page.locator("main h1")).to_contain_text("Maria Ek")
    expect(page.locator("main")).to_contain_text("19680412-****")
    expect(page.locator("main")).not_to_contain_text("19680412-9820")
    # The reading list: one heading per phase, in the order care runs (not the slugs' alphabetical order).
    reading = page.locator("section[aria-labelledby='print-reading-heading']")
    headings = [text.strip() for text in reading.locator("h3").all_inner_texts()]
    assert headings == [phase for phase in PHASES_IN_CARE_ORDER if phase in headings]
    assert len(headings) >= 3
    # No address that only works after signing in.
    assert "/plan/reading/" not in reading.inner_text()
    assert_accessible(page)
    screenshot(page, "print-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    screenshot(page, "print-iphone")

    pdf = tmp_path / "vardplan.pdf"
    page.pdf(path=str(pdf), format="A4")
    pages = PdfReader(str(pdf)).pages
    assert len(pages) >= 2
    for number, printed in enumerate(pages, start=1):
        text = re.sub(r"\s+", " ", printed.extract_text())
        assert "Vårdplan för Maria Ek · 19680412-****" in text, f"page {number}: {text[:200]}"
        assert f"Sida {number} av {len(pages)}" in text, f"page {number}: {text[-200:]}"
        assert "9820" not in text

    # Maria is in treatment with radiotherapy after surgery: the safety notice above the message form says what to
    # call about for those, and nothing about fever during chemotherapy, which she does not have.
    page.goto("/plan/messages")
    safety = page.locator(".mv-safety")
    expect(safety).to_contain_text("Under strålbehandlingen, ring om huden")
    expect(safety).to_contain_text("Efter en operation, ring om såret")
    expect(safety).not_to_contain_text("cellgifter")
    expect(safety.locator("a[href='tel:0101234520']")).to_have_text("010-123 45 20")
    assert_accessible(page)
    screenshot(page, "messages-safety-iphone")
