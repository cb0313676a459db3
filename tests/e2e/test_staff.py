"""Staff: the contact nurse sees her patients and opens a plan in the builder, on a 1280×800 desktop."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import EVA, MARIA, assert_accessible, screenshot, sign_in_with


def test_staff_nurse_reads_patient_plan(desktop_page: Page, demo: None) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, EVA)

    expect(page).to_have_url(re.compile(r"/staff/$"))
    maria = page.locator("#caseload-list > tr").filter(has_text="Maria Ek")
    expect(maria).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(MARIA)  # personal numbers are masked in the list
    expect(page.locator("#site-nav a[href='/staff/']")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    screenshot(page, "staff-caseload-desktop")

    maria.get_by_role("link", name="Maria Ek", exact=True).click()

    expect(page).to_have_url(re.compile(r"/staff/plans/\d+$"))
    heading = page.locator("main h1")
    expect(heading).to_contain_text("Maria Ek")
    expect(heading).to_be_focused()
    expect(page.locator(".mv-timeline__item").first).to_be_visible()
    expect(page.locator(".mv-timeline a[href^='/plan/']")).to_have_count(0)  # never the patient's own pages
    expect(page.locator(".mv-builder__tools").first).to_be_visible()  # Eva's unit is responsible: she can edit
    expect(page.locator("#site-nav a[href='/staff/']")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    screenshot(page, "staff-plan-desktop")
