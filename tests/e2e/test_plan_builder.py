"""The plan builder journey: a nurse at a desktop builds a plan from national content and hands it over; the
patient on a phone sees it, reads and answers an article, adds an own item and prints the plan (to PDF)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Playwright, expect
from pypdf import PdfReader

from tests.e2e.conftest import EVA, assert_accessible, device_options, screenshot, share_plan, sign_in_with

JONAS = "jonas.berg@demo.vardplan.se"  # demo nurse at Kirurg- och urologmottagningen
KARL = "19520611-9793"  # demo patient with an account and no plan yet
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PLAN_URL = re.compile(r"/staff/plans/\d+(\?.*)?(#.*)?$")
BOOKED_TITLE = "Magnetkameraundersökning av bäckenet"
OWN_TITLE = "Tandläkarbesök före behandlingen"


def _nurse_builds_the_plan(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, JONAS)
    page.locator("#site-nav a[href='/staff/find']").click()
    expect(page.locator("main h1")).to_be_focused()
    page.locator("#q").fill(KARL)
    page.locator("main form[role=search] button").click()
    result = page.locator(".mv-list__item").filter(has_text="Karl Öberg")
    expect(result).to_have_count(1)
    assert_accessible(page)
    result.locator("button").click()

    expect(page.locator("main h1")).to_contain_text("Karl Öberg")
    page.locator("#diagnosis").select_option("prostatacancer")
    assert_accessible(page)
    screenshot(page, "staff-new-plan-desktop")
    page.locator("main form.mv-form button[type=submit]").click()

    expect(page).to_have_url(PLAN_URL)
    expect(page.locator(".mv-notice[role=status]")).to_be_visible()
    expect(page.locator(".mv-builder__item").first).to_be_visible()  # the skeleton became items
    assert_accessible(page)
    screenshot(page, "staff-plan-builder-desktop")

    # A booked item in the investigation phase, through the real form; a past date is refused first.
    page.locator("#phase-investigation").locator("xpath=..").locator("a[href*='/items/new']").click()
    page.locator("#title").fill(BOOKED_TITLE)
    page.locator("#status").select_option("booked")
    page.locator("#day").fill((date.today() - timedelta(days=3)).isoformat())
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator(".mv-error-summary")).to_be_visible()
    expect(page.locator("#title")).to_have_value(BOOKED_TITLE)  # nothing typed is lost
    assert_accessible(page)
    page.locator("#day").fill((date.today() + timedelta(days=10)).isoformat())
    page.locator("#clock").fill("08:15")
    page.locator("#location").fill("Röntgen, entré B")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page).to_have_url(PLAN_URL)
    booked = page.locator(".mv-builder__item").filter(has_text=BOOKED_TITLE)
    expect(booked).to_have_count(1)
    expect(booked.locator(".mv-tag--booked")).to_be_visible()

    # Change it in place (htmx swaps the item for its form, and back).
    booked.get_by_role("link").first.click()
    inline = page.locator(".mv-inline-form")
    expect(inline).to_be_visible()
    inline.locator("#location").fill("Röntgen, entré C")
    inline.locator("button[type=submit]").click()
    expect(page.locator(".mv-builder__item").filter(has_text=BOOKED_TITLE)).to_contain_text("Röntgen, entré C")
    assert_accessible(page)

    # Karl sees nothing of the draft until Jonas shares it.
    share_plan(page)

    # Hand over to Onkologimottagningen (another care provider) with Eva Lund as the new contact nurse.
    page.locator("main a[href$='/handover']").click()
    expect(page).to_have_url(re.compile(r"/staff/plans/\d+/handover$"))
    expect(page.locator("main h1")).to_be_visible()
    onko = page.locator("#to_unit option").filter(has_text="Onkologimottagningen")
    page.locator("#to_unit").select_option(onko.get_attribute("value"))
    eva = page.locator("#nurse option").filter(has_text="Eva Lund").filter(has_text="Onkologimottagningen")
    page.locator("#nurse").select_option(eva.get_attribute("value"))
    page.locator("#note").fill("Utredningen pågår. Magnetkameran är bokad. Karl vill ha besked i telefon.")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator(".mv-error-summary")).to_be_visible()  # another care provider: the patient's consent first
    assert_accessible(page)
    page.locator("#consent-phone").check()
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("Kontrollera överlämningen")
    assert_accessible(page)
    screenshot(page, "staff-handover-confirm-desktop")
    page.locator("button[name=confirm]").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator("main")).to_contain_text("Under överlämning från Kirurg- och urologmottagningen")
    expect(page.locator(".mv-builder__tools").first).to_be_visible()  # Jonas's unit is responsible until accepted
    assert_accessible(page)

    page.locator("main a[href$='/history']").click()
    expect(page.locator("main table tbody tr")).to_have_count(5)  # created, added, changed, shared, handover sent
    assert_accessible(page)


def _receiving_nurse_accepts(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, EVA)
    tasks = page.locator("section[aria-labelledby=handovers-heading]")
    expect(tasks).to_contain_text("Karl Öberg")
    assert_accessible(page)
    tasks.locator("a").filter(has_text="Karl Öberg").click()
    expect(page.locator("main")).to_contain_text("Magnetkameran är bokad.")
    assert_accessible(page)
    page.locator("form[action$='/accept'] button").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator(".mv-notice[role=status]").filter(has_text="Du har tagit över planen.")).to_be_visible()
    expect(page.locator("#team-heading").locator("xpath=..")).to_contain_text("Onkologimottagningen")
    assert_accessible(page)


def _patient_uses_the_plan(page: Page, pdf_path: Path) -> None:
    page.goto("/login")
    sign_in_with(page, KARL)
    expect(page.locator(".mv-contact")).to_contain_text("Eva Lund")
    expect(page.locator(".mv-contact")).to_contain_text("Onkologimottagningen")
    expect(page.locator(".mv-contact")).to_contain_text("Också i ditt vårdteam")
    expect(page.locator(".mv-contact__others")).to_contain_text("Kirurg- och urologmottagningen")
    assert_accessible(page)
    screenshot(page, "patient-new-plan-start-iphone")

    page.locator("#site-nav a[href='/plan/timeline']").click()
    booked = page.locator(".mv-timeline__item").filter(has_text=BOOKED_TITLE)
    expect(booked).to_contain_text("Kirurg- och urologmottagningen")  # which unit does it
    assert_accessible(page)

    # Reading: open an article, mark it understood.
    page.locator("#site-nav a[href='/plan/reading']").click()
    expect(page.locator("main h1")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "patient-reading-iphone")
    first = page.locator("#reading-investigation").locator("xpath=..").locator(".mv-list__title a").first
    title = first.inner_text()
    first.click()
    expect(page.locator("main h1")).to_have_text(title)
    page.locator("button[value=understood]").click()
    expect(page.locator("button[value=understood]")).to_have_count(0)
    expect(page.locator("main [role=status]")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "patient-article-iphone")

    # A question about the article opens the message box with a reference to it.
    page.locator("button[value=question]").click()
    expect(page).to_have_url(re.compile(r"/plan/messages\?article=\d+$"))
    expect(page.locator("#body")).to_have_value(re.compile(re.escape(title)))

    # An own item, shown as added by the patient.
    page.goto("/plan/timeline")
    page.locator("main a[href='/plan/items/new']").click()
    page.locator("#title").fill(OWN_TITLE)
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator(".mv-error-summary")).to_be_visible()  # a date is needed
    expect(page.locator("#title")).to_have_value(OWN_TITLE)
    assert_accessible(page)
    page.locator("#day").fill((date.today() + timedelta(days=5)).isoformat())
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text(OWN_TITLE)
    expect(page.locator(".mv-tag--own")).to_be_visible()
    assert_accessible(page)
    page.goto("/plan/timeline")
    expect(page.locator(".mv-timeline__item").filter(has_text=OWN_TITLE).locator(".mv-tag--own")).to_be_visible()

    # The paper plan.
    page.goto("/plan/print")
    expect(page.locator("main h1")).to_contain_text("Karl Öberg")
    assert_accessible(page)
    screenshot(page, "patient-print-iphone")
    page.emulate_media(media="print")
    expect(page.locator(".mv-nav")).to_be_hidden()
    page.pdf(path=str(pdf_path), format="A4", print_background=False)


def test_nurse_builds_and_hands_over_a_plan_and_the_patient_uses_it(
        make_context: Callable[..., BrowserContext], playwright: Playwright, demo: None, tmp_path: Path) -> None:
    nurse = make_context(**DESKTOP).new_page()
    _nurse_builds_the_plan(nurse)
    _receiving_nurse_accepts(make_context(**DESKTOP).new_page())

    patient = make_context(**device_options(playwright, "iphone13")).new_page()
    pdf_path = tmp_path / "vardplan.pdf"
    _patient_uses_the_plan(patient, pdf_path)

    text = " ".join(page.extract_text() for page in PdfReader(str(pdf_path)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Karl Öberg" in flat
    assert BOOKED_TITLE in flat
    assert OWN_TITLE in flat
    assert "Eva Lund" in flat
    assert "http" in flat  # reading addresses are written out
    assert "Huvudmeny" not in flat  # no navigation on paper
