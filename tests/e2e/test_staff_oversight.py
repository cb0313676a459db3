"""Staff pages around access: a guardian of a child, emergency access to a plan at another unit, the log review;
and the guardian's view of the child's plan. axe-core on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import EVA, MARIA, assert_accessible, screenshot, sign_in_with

JONAS = "jonas.berg@demo.vardplan.se"
SARA = "sara.lind@demo.vardplan.se"


def test_nurse_uses_emergency_access_and_the_responsible_nurse_reviews_the_log(desktop_page: Page,
                                                                                 demo: None) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, JONAS)  # Kirurg- och urologmottagningen: not in Maria's care team
    page.locator("#site-nav a[href='/staff/find']").click()
    page.locator("#q").fill(MARIA)
    page.locator("main form[role=search] button").click()
    page.locator("form[action='/staff/emergency'] button").click()
    expect(page).to_have_url(re.compile(r"/staff/emergency$"))
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page)
    page.locator("#reason").fill("kort")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator(".mv-error-summary")).to_be_visible()
    expect(page.locator("#reason")).to_have_value("kort")
    assert_accessible(page)
    page.locator("#reason").fill("Patienten söker akut på vår mottagning med hög feber.")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/plans/\d+$"))
    expect(page.locator(".mv-safety[role=status]")).to_be_visible()
    expect(page.locator(".mv-builder__tools")).to_have_count(0)  # reading only
    assert_accessible(page)
    screenshot(page, "staff-emergency-plan-desktop")

    page.locator("header form[action='/logout'] button").click()
    page.goto("/login")
    sign_in_with(page, EVA)
    page.locator("#caseload-list > tr").filter(has_text="Maria Ek").get_by_role("link", name="Maria Ek",
                                                                                exact=True).click()
    page.locator("main a[href$='/access-log']").click()
    emergency = page.locator("tr.mv-log__emergency").filter(has_text="Jonas Berg")
    expect(emergency.first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "staff-access-log-desktop")
    with page.expect_download() as download:
        page.locator("main a[href$='format=csv']").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.locator("main a.mv-back, .mv-back a").first.click()
    page.locator("main a[href$='/guardians']").click()
    expect(page.locator("main .mv-notice")).to_be_visible()  # Maria is an adult: no guardians
    assert_accessible(page)


def test_guardian_sees_the_childs_plan_and_the_nurse_registers_another_guardian(desktop_page: Page,
                                                                                demo: None) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, SARA)
    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(page.locator(".mv-acting-banner")).to_contain_text("Elsas vårdplan")
    for path in ("/plan/forms", "/plan/messages", "/plan/access-log"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        assert_accessible(page)
    screenshot(page, "guardian-access-log-desktop")
    response = page.goto("/plan/relatives")
    assert response is not None
    assert response.status == 403

    page.locator("header form[action='/logout'] button").click()
    page.goto("/login")
    sign_in_with(page, EVA)
    page.locator("#site-nav a[href='/staff/find']").click()  # Eva's caseload is 300 patients long: find Elsa
    page.locator("#q").fill("Elsa Lind")
    page.locator("main form[role=search] button").click()
    page.locator("#find-list > li").filter(has_text="Elsa Lind").locator("a[href^='/staff/plans/']").first.click()
    page.locator("main a[href$='/guardians']").click()
    expect(page.locator(".mv-list__item").filter(has_text="Sara Lind")).to_have_count(1)
    page.locator("#name").fill("Johan Lind")
    page.locator("#email").fill("johan.lind@example.se")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    expect(page.locator(".mv-list__item").filter(has_text="Johan Lind")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "staff-guardians-desktop")
